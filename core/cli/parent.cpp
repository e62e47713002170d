// `shmipc parent`: the article's parent thread, printing what arrives.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <variant>

#include "commands.hpp"
#include "file_stream.hpp"
#include "shmipc/journal.hpp"
#include "stop_signals.hpp"

namespace shmcli {

std::string printable(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else if (c == '\\') {
      out += "\\\\";
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

namespace {

// One line per event, flushed at once: another program (a test, the monitor's demo) reads it.
void say(const std::string& line) {
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

std::string describe(const shmipc::ReceivedMessage& m) {
  std::string line = "message #" + std::to_string(m.sequence) + " (" +
                     std::to_string(m.data.size()) + " bytes): " + printable(m.data);
  if (m.bad_data_size != 0)
    line += "  [CORRUPT: message.data_size " + std::to_string(m.bad_data_size) +
            " exceeds the capacity of " + std::to_string(shmipc::kDataCapacity) + "]";
  else if (m.torn)
    line += "  [TORN: the writer died or skipped the mutex]";
  if (!m.torn && !m.checksum_ok) line += "  [CHECKSUM MISMATCH]";
  if (m.lost_before > 0) line += "  [" + std::to_string(m.lost_before) + " lost before it]";
  return line;
}

}  // namespace

int parent_receive_loop(shmipc::Session& session, shmipc::PeerMode mode,
                        std::optional<std::uint64_t> max_messages) {
  shmipc::ParentPeer parent(session);
  parent.set_mode(mode);
  std::uint64_t messages = 0;
  while (!max_messages || messages < *max_messages) {
    const shmipc::ParentEvent event = parent.next();
    if (const auto* started = std::get_if<shmipc::ChildStarted>(&event)) {
      say(started->child_pid != 0
              ? "child started (pid " + std::to_string(started->child_pid) + ")"
              : std::string("child acknowledged, with no pid: childAck was set by an observer"));
    } else if (const auto* m = std::get_if<shmipc::ReceivedMessage>(&event)) {
      if (m->withdrawn) {
        // Its sender timed out and reported it as not delivered: printing it would deliver it.
        say("message #" + std::to_string(m->sequence) +
            " was withdrawn by the child (it gave up waiting): not delivered");
        continue;
      }
      ++messages;
      say(describe(*m));
    } else if (const auto* c = std::get_if<shmipc::ReceivedCommand>(&event)) {
      if (c->command == shmipc::Command::KillApp) {
        say("command KILL_APP #" + std::to_string(c->sequence) + ": leaving");
        leave_session(session);
        return 0;
      }
      if (c->command == shmipc::Command::Ping) {
        say("command PING #" + std::to_string(c->sequence) + " (arg " + std::to_string(c->arg) +
            ")");
      } else {
        say("command #" + std::to_string(c->sequence) + " unknown, ignored");
      }
    }
  }
  leave_session(session);
  return 0;
}

int run_parent(Arguments& args) {
  shmipc::SessionOptions options;
  options.name = args.session();
  options.role = shmipc::RoleRequest::Parent;
  const bool seed = args.flag("seed-faithful");
  options.mode = seed ? shmipc::PeerMode::SeedFaithful : shmipc::PeerMode::Reliable;
  const auto count = args.count("count");
  const auto out = args.value("out");
  args.finish();
  handle_stop_signals();
  auto session = shmipc::Session::join(options);
  LeaveOnStop leave_on_stop(*session);
  say("parent of session " + options.name + " (pid " + std::to_string(::getpid()) + ", " +
      (seed ? "seed-faithful 10 ms polling" : "reliable") + "): waiting for the child");
  if (!out) return parent_receive_loop(*session, options.mode, count);
  shmipc::ParentPeer parent(*session);
  parent.set_mode(options.mode);
  bool killed = false;
  const StreamTotals got = receive_to_file(*session, parent, *out, count, &killed);
  say("received " + std::to_string(got.bytes) + " bytes in " + std::to_string(got.messages) +
      " messages into " + *out);
  if (killed) say("command KILL_APP: leaving");
  leave_session(*session);
  return 0;
}

}  // namespace shmcli
