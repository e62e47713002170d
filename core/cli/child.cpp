// `shmipc child`: the article's child — acknowledge, send messages, send KILL_APP.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include "commands.hpp"
#include "file_stream.hpp"
#include "shmipc/error.hpp"
#include "shmipc/liveness.hpp"
#include "stop_signals.hpp"

namespace shmcli {

namespace {

void say(const std::string& line) {
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

shmipc::Deadline step_deadline(double seconds) {
  return shmipc::deadline_after(std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(seconds)));
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

// A bounded wait ran out: say who did not answer and why it may be (stopped, dead, busy).
[[noreturn]] void parent_did_not_answer(shmipc::Session& session, const std::string& what) {
  throw shmipc::Error(shmipc::ErrorCode::Timeout,
                      what + "; " +
                          shmipc::describe_unanswering_peer(session.block(), shmipc::Role::Parent,
                                                            shmipc::monotonic_ns()));
}

void send_text(shmipc::Session& session, shmipc::ChildPeer& child, const std::string& text,
               double timeout_s) {
  shmipc::SendReceipt r;
  try {
    r = child.send_message(text, step_deadline(timeout_s));
  } catch (const shmipc::Error& e) {
    if (e.code() == shmipc::ErrorCode::PeerGone) {
      // Written, and the parent died before its receipt. A parent started later would still
      // find it (its SendMessage pending): withdraw it, so that "not delivered" stays true.
      using W = shmipc::ChildPeer::Withdrawal;
      const std::uint64_t sequence = child.last_sent_sequence();
      const W w = child.withdraw_unread(sequence, step_deadline(0.5));
      if (w == W::Read) {
        say("sent message #" + std::to_string(sequence) + " (" + std::to_string(text.size()) +
            " bytes), received by the parent just before it left");
        return;
      }
      throw shmipc::Error(shmipc::ErrorCode::PeerGone,
                          std::string(e.what()) +
                              (w == W::Withdrawn ? "; it is NOT delivered (withdrawn: it never will be)"
                                                 : "; it could not be withdrawn (the mutex is held): "
                                                   "a later parent may still read it"));
    }
    // The previous message was still unread: nothing of this one was written.
    if (e.code() != shmipc::ErrorCode::Timeout) throw;
    parent_did_not_answer(session, std::string(e.what()) + " (waited " + seconds_text(timeout_s) +
                                       "); this message was not sent");
  }
  if (child.mode() == shmipc::PeerMode::Reliable && !r.receipt) {
    // Withdraw it, so that "not delivered" stays true when a stopped parent wakes up.
    using W = shmipc::ChildPeer::Withdrawal;
    const W w = child.withdraw_unread(r.sequence, step_deadline(0.5));
    if (w != W::Read) {
      parent_did_not_answer(
          session, "the parent has not taken message #" + std::to_string(r.sequence) + " for " +
                       seconds_text(timeout_s) +
                       (w == W::Withdrawn ? "; it is NOT delivered (withdrawn: it never will be)"
                                          : "; it is NOT delivered so far, and could not be "
                                            "withdrawn (the mutex is held): it may still be read"));
    }
    r.receipt = true;  // read in the last instant: delivered after all
  }
  std::string line = "sent message #" + std::to_string(r.sequence) + " (" +
                     std::to_string(text.size()) + " bytes)";
  if (r.receipt) line += ", received by the parent";
  if (r.overwrote_unread) line += ", overwriting a message the parent never read";
  say(line);
}

void send_command(shmipc::Session& session, shmipc::ChildPeer& child, shmipc::Command c,
                  double timeout_s) {
  const char* name = c == shmipc::Command::KillApp ? "KILL_APP" : "PING";
  const bool received = child.send_command(c, 0, step_deadline(timeout_s));
  if (!received && session.role_alive(shmipc::Role::Parent)) {
    parent_did_not_answer(session, std::string("the parent has not taken ") + name + " for " +
                                       seconds_text(timeout_s));
  }
  say(std::string("sent ") + name +
      (received ? ", received by the parent" : ", but the parent left without answering"));
}

void refuse_oversize(const std::vector<std::string>& texts) {
  for (const auto& t : texts) {
    if (t.size() > shmipc::kDataCapacity)
      throw shmipc::Error(
          shmipc::ErrorCode::MessageTooLarge,
          "message of " + std::to_string(t.size()) + " bytes exceeds the limit of " +
              std::to_string(shmipc::kDataCapacity) + " bytes; nothing was written");
  }
}

}  // namespace

ChildPlan read_child_plan(Arguments& args) {
  ChildPlan plan;
  plan.texts = args.values("send");
  plan.kill = args.flag("kill");
  plan.ping = args.flag("ping");
  plan.every_seconds = args.seconds("every");
  if (const auto t = args.seconds("timeout")) {
    if (*t <= 0) throw shmipc::Error(shmipc::ErrorCode::Usage, "--timeout needs a number of seconds > 0");
    plan.timeout_s = *t;
  }
  plan.mode =
      args.flag("seed-faithful") ? shmipc::PeerMode::SeedFaithful : shmipc::PeerMode::Reliable;
  // Step mode is switched on by whoever drives the session; every action of this peer then
  // waits for a grant (Actor::gate), so the flag only states the intent.
  args.flag("step");
  plan.send_file = args.value("send-file");
  plan.from_stdin = plan.texts.empty() && !plan.kill && !plan.ping && !plan.send_file;
  if (plan.every_seconds && plan.texts.empty())
    throw shmipc::Error(shmipc::ErrorCode::Usage, "--every needs at least one --send TEXT");
  return plan;
}

int child_behaviour(shmipc::Session& session, const ChildPlan& plan) {
  refuse_oversize(plan.texts);
  shmipc::ChildPeer child(session);
  child.set_mode(plan.mode);
  child.acknowledge(step_deadline(plan.timeout_s));
  say("child of session " + session.name() + " (pid " + std::to_string(::getpid()) +
      "): acknowledged");

  bool refused = false;
  if (plan.send_file) {
    const StreamTotals sent = send_file(session, child, *plan.send_file, plan.timeout_s);
    say("sent " + *plan.send_file + ": " + std::to_string(sent.bytes) + " bytes in " +
        std::to_string(sent.messages) + " messages, each received by the parent");
  }
  if (plan.from_stdin) {
    if (::isatty(0))
      say("type a message and Enter to send it; /ping and /kill send commands; Ctrl-D leaves");
    std::string line;
    while (std::getline(std::cin, line)) {
      if (line == "/kill") {
        send_command(session, child, shmipc::Command::KillApp, plan.timeout_s);
        break;
      }
      if (line == "/ping") {
        send_command(session, child, shmipc::Command::Ping, plan.timeout_s);
        continue;
      }
      try {
        send_text(session, child, line, plan.timeout_s);
      } catch (const shmipc::Error& e) {
        // One line too long must not end an interactive session; the exit code still says so.
        if (e.code() != shmipc::ErrorCode::MessageTooLarge) throw;
        std::fprintf(stderr, "shmipc child: message too large: %s\n", e.what());
        refused = true;
      }
    }
  } else if (plan.every_seconds) {
    const auto period = std::chrono::duration<double>(*plan.every_seconds);
    for (std::uint64_t round = 1;; ++round) {
      for (const auto& text : plan.texts) send_text(session, child, text + " #" + std::to_string(round), plan.timeout_s);
      // A schedule, not a wait for an event: nothing is being polled.
      std::this_thread::sleep_for(period);
    }
  } else {
    for (const auto& text : plan.texts) send_text(session, child, text, plan.timeout_s);
    if (plan.ping) send_command(session, child, shmipc::Command::Ping, plan.timeout_s);
    if (plan.kill) send_command(session, child, shmipc::Command::KillApp, plan.timeout_s);
  }
  leave_session(session);
  return refused ? static_cast<int>(shmipc::ErrorCode::MessageTooLarge) : 0;
}

int run_child(Arguments& args) {
  shmipc::SessionOptions options;
  options.name = args.session();
  options.role = shmipc::RoleRequest::Child;
  options.create_if_missing = false;
  ChildPlan plan = read_child_plan(args);
  args.finish();
  refuse_oversize(plan.texts);
  if (plan.send_file && ::access(plan.send_file->c_str(), R_OK) != 0)
    throw shmipc::Error(shmipc::ErrorCode::Usage,
                        "--send-file: cannot read '" + *plan.send_file + "'");
  options.mode = plan.mode;
  handle_stop_signals();
  auto session = shmipc::Session::join(options);
  LeaveOnStop leave_on_stop(*session);
  return child_behaviour(*session, plan);
}

}  // namespace shmcli
