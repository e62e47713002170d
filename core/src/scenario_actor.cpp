#include "scenario_actor.hpp"

#include <unistd.h>

#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "shmipc/auto_reset_event.hpp"
#include "shmipc/clock.hpp"
#include "shmipc/error.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/peer.hpp"
#include "shmipc/robust_mutex.hpp"
#include "shmipc/session.hpp"
#include "shmipc/snapshot.hpp"

namespace shmipc::scenario_detail {

namespace {

using nlohmann::json;

// Every wait of an actor is bounded: the runner's watchdog is the real limit, this only
// makes sure an orphaned actor cannot wait forever either (it also dies with its runner:
// PR_SET_PDEATHSIG). Long, because a monitor pacing the run holds it between two steps for
// as long as the teacher talks, and a wait that gave up meanwhile would change the lesson.
constexpr std::chrono::hours kActionLimit{1};

bool read_line(int fd, std::string& buffer, std::string& line) {
  for (;;) {
    if (auto nl = buffer.find('\n'); nl != std::string::npos) {
      line = buffer.substr(0, nl);
      buffer.erase(0, nl + 1);
      return true;
    }
    char chunk[4096];
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

void write_line(int fd, const json& j) {
  std::string s = j.dump() + "\n";
  const char* p = s.data();
  std::size_t left = s.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

// Message text as JSON can carry: bytes outside printable ASCII become '.'.
std::string printable(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    if (c < 0x20 || c >= 0x7f) c = '.';
  return out;
}

class ActorProcess {
 public:
  ActorProcess(const ScenarioActor& actor, std::string session_name)
      : actor_(actor), session_name_(std::move(session_name)), mode_(actor.mode) {}

  json perform(const json& in) {
    const std::string action = in.value("do", "");
    const Deadline deadline = deadline_after(kActionLimit);
    if (action == "join") return join();
    if (!session_) throw Error(ErrorCode::Usage, "\"" + action + "\" before join");
    if (action == "ack") {
      child().acknowledge();
      return {{"acknowledged", true}};
    }
    if (action == "send") {
      SendReceipt r = child().send_message(in.value("text", ""), deadline);
      return {{"sequence", r.sequence},
              {"receipt", r.receipt},
              {"overwrote_unread", r.overwrote_unread}};
    }
    if (action == "command") {
      const Command c = in.value("command", "") == "KILL_APP" ? Command::KillApp : Command::Ping;
      return {{"received", child().send_command(c, 0, deadline)}};
    }
    if (action == "receive")
      return receive(in.value("count", 1), in.value("latency", false), deadline);
    if (action == "serve") return serve(deadline);
    if (action == "leave") {
      session_->leave();
      return {{"left", true}};
    }
    if (action == "torn_write") return torn_write(in.value("text", ""));
    if (action == "write_without_mutex") return write_without_mutex(in.value("text", ""));
    if (action == "recover") return recover(deadline);
    if (action == "latency_probe") return latency_probe(in.value("count", 1), deadline);
    if (action == "set_mode") {
      mode_ = in.value("mode", "") == "reliable" ? PeerMode::Reliable : PeerMode::SeedFaithful;
      if (child_) child_->set_mode(mode_);
      if (parent_) parent_->set_mode(mode_);
      return {{"mode", mode_ == PeerMode::Reliable ? "reliable" : "seed"}};
    }
    throw Error(ErrorCode::Usage, "unknown action \"" + action + "\"");
  }

 private:
  json join() {
    SessionOptions o;
    o.name = session_name_;
    o.mode = mode_;
    if (actor_.join == "parent") o.role = RoleRequest::Parent;
    if (actor_.join == "child") o.role = RoleRequest::Child;
    if (actor_.join == "tool") o.role = RoleRequest::Tool;
    session_ = Session::join(o);
    if (session_->role() == Role::Parent) {
      parent_.emplace(*session_);
      parent_->set_mode(mode_);
    } else if (session_->role() == Role::Child) {
      child_.emplace(*session_);
      child_->set_mode(mode_);
    }
    return {{"role", std::string(role_name(session_->role()))},
            {"created", session_->created()},
            {"reclaimed", session_->reclaimed()},
            {"slot", session_->actor().slot}};
  }

  ChildPeer& child() {
    if (!child_) throw Error(ErrorCode::Usage, actor_.name + " is not the child");
    return *child_;
  }
  ParentPeer& parent() {
    if (!parent_) throw Error(ErrorCode::Usage, actor_.name + " is not the parent");
    return *parent_;
  }

  static json describe(const ParentEvent& e) {
    if (std::holds_alternative<ChildStarted>(e)) return {{"event", "child_started"}};
    if (auto* m = std::get_if<ReceivedMessage>(&e)) {
      return {{"event", "message"},      {"data", printable(m->data)},
              {"sequence", m->sequence}, {"checksum_ok", m->checksum_ok},
              {"torn", m->torn},         {"lost_before", m->lost_before}};
    }
    if (auto* c = std::get_if<ReceivedCommand>(&e))
      return {{"event", "command"}, {"command", std::string(command_name(c->command))}};
    return {{"event", "timeout"}};
  }

  json receive(int count, bool latency, Deadline deadline) {
    json events = json::array();
    json last;
    double total_us = 0;
    int timed = 0;
    for (int i = 0; i < count; ++i) {
      ParentEvent e = parent().next(deadline);
      const std::uint64_t now = monotonic_ns();
      last = describe(e);
      if (auto* m = std::get_if<ReceivedMessage>(&e); m && latency) {
        // The probe's message is the child's monotonic clock when it started sending.
        const std::uint64_t sent = std::strtoull(m->data.c_str(), nullptr, 10);
        if (sent > 0 && sent <= now) {
          total_us += static_cast<double>(now - sent) / 1000.0;
          ++timed;
        }
      }
      events.push_back(last);
      if (std::holds_alternative<WaitTimedOut>(e)) break;
    }
    json out = last;
    out["events"] = events;
    out["count"] = events.size();
    if (latency && timed > 0) out["latency_us_mean"] = total_us / timed;
    return out;
  }

  json serve(Deadline deadline) {
    json events = json::array();
    for (;;) {
      ParentEvent e = parent().next(deadline);
      events.push_back(describe(e));
      if (std::holds_alternative<WaitTimedOut>(e))
        throw Error(ErrorCode::Timeout, "no KILL_APP arrived");
      if (auto* c = std::get_if<ReceivedCommand>(&e); c && c->command == Command::KillApp) break;
    }
    // The article's parent closes on KILL_APP.
    session_->leave();
    return {{"events", events}, {"command", "KILL_APP"}, {"left", true}};
  }

  // A writer killed in the middle of its write, made deterministic: it starts the versioned
  // write, copies the first half of the text, and only then parks at its gate, where the
  // scenario kills it. If it is granted instead it finishes the write properly.
  json torn_write(const std::string& text) {
    const Actor& me = session_->actor();
    RobustMutex mutex(me);
    MutexGuard guard(mutex, deadline_after(kActionLimit));
    if (!guard.acquired()) throw Error(ErrorCode::Timeout, "could not take the mutex");
    MessageArea& area = me.block->message;
    const auto size = static_cast<std::uint32_t>(text.size());
    const std::uint64_t g = area.version_tail.load() + 1;
    area.version_tail.store(g);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    const std::uint64_t sequence = area.message_sequence.load() + 1;
    area.data_size.store(size);
    area.message_sequence.store(sequence);
    std::memcpy(area.data, text.data(), size / 2);
    if (!me.gate(JournalKind::MessageWritten, size, deadline_after(kActionLimit)))
      throw Error(ErrorCode::Timeout, "no grant to finish the write");
    std::memcpy(area.data, text.data(), size);
    area.checksum.store(message_checksum(sequence, size, text.data()));
    area.writer_pid.store(me.pid);
    area.version_head.store(g, std::memory_order_release);
    journal_append(me, JournalKind::MessageWritten, size, sequence, text);
    return {{"sequence", sequence}, {"finished", true}};
  }

  // The classic bug: writing into the block without taking the mutex (here: while the
  // reader holds it). Data changes, checksum and versions do not. A writer that ignores the
  // mutex ignores the step gate too: it acts the moment the runner tells it to.
  json write_without_mutex(const std::string& text) {
    const Actor& me = session_->actor();
    MessageArea& area = me.block->message;
    const std::size_t n = std::min<std::size_t>(text.size(), kDataCapacity);
    std::memcpy(area.data, text.data(), n);
    journal_append(me, JournalKind::Injected,
                   static_cast<std::uint32_t>(InjectionKind::WriteRawData), n, text);
    return {{"written", n}};
  }

  json recover(Deadline deadline) {
    RobustMutex mutex(session_->actor());
    LockOutcome o = mutex.lock(deadline);
    if (!o.acquired) throw Error(ErrorCode::Timeout, "could not take the mutex");
    mutex.unlock();
    return {{"owner_died", o.owner_died},
            {"torn_write_found", o.torn_write_found},
            {"dead_owner_pid", o.dead_owner_pid}};
  }

  json latency_probe(int count, Deadline deadline) {
    Events events(session_->actor());
    for (int i = 0; i < count; ++i) {
      SendReceipt r = child().send_message(std::to_string(monotonic_ns()), deadline);
      // Seed-faithful sends do not wait for the receipt; pace them so no probe is lost.
      if (!r.receipt && !events.wait(EventId::ReceiveMessage, deadline))
        throw Error(ErrorCode::Timeout,
                    "the parent did not receive probe " + std::to_string(i + 1));
    }
    return {{"sent", count}};
  }

  ScenarioActor actor_;
  std::string session_name_;
  PeerMode mode_;
  std::unique_ptr<Session> session_;
  std::optional<ChildPeer> child_;
  std::optional<ParentPeer> parent_;
};

}  // namespace

int actor_main(const ScenarioActor& actor, const std::string& session_name, int in_fd, int out_fd) {
  ActorProcess process(actor, session_name);
  std::string buffer, line;
  while (read_line(in_fd, buffer, line)) {
    json reply;
    try {
      const json in = json::parse(line);
      reply = {{"ok", true}, {"result", process.perform(in)}};
    } catch (const Error& e) {
      reply = {{"ok", false}, {"error_code", error_code_name(e.exit_code())}, {"error", e.what()}};
    } catch (const std::exception& e) {
      reply = {{"ok", false}, {"error_code", "Internal"}, {"error", e.what()}};
    }
    write_line(out_fd, reply);
  }
  return 0;
}

}  // namespace shmipc::scenario_detail
