// Shared by the fault-matrix tests: real `shmipc` processes with SHMIPC_FAULT set, in-process
// peers on the same block, and the checks that nothing stays wrong after a death.
#pragma once

#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "shmipc/journal.hpp"
#include "shmipc/observer.hpp"
#include "shmipc/peer.hpp"
#include "shmipc/session.hpp"
#include "cli_helpers.hpp"
#include "test_process.hpp"

namespace faulttest {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

inline constexpr int kKilled = 128 + SIGKILL;

// `shmipc SUB --session S EXTRA...`, run through env(1) with SHMIPC_FAULT when `fault` is set.
inline std::vector<std::string> shmipc_cmd(const std::string& sub, const std::string& session,
                                           std::vector<std::string> extra = {},
                                           const std::string& fault = "") {
  std::vector<std::string> argv = shmtest::shmipc_cmd(sub, session, std::move(extra));
  if (!fault.empty()) argv.insert(argv.begin(), {"/usr/bin/env", "SHMIPC_FAULT=" + fault});
  return argv;
}

using shmtest::says;
using Cleanup = shmtest::SegmentCleanup;

inline std::unique_ptr<shmipc::Session> join(const std::string& name, shmipc::RoleRequest role) {
  shmipc::SessionOptions o;
  o.name = name;
  o.role = role;
  o.create_if_missing = role == shmipc::RoleRequest::Parent;
  return shmipc::Session::join(o);
}

inline shmipc::Snapshot snapshot_of(const std::string& name) {
  return shmipc::Observer::open(name)->snapshot();
}

inline bool journaled(const shmipc::Snapshot& s, shmipc::JournalKind kind,
                      std::optional<std::uint64_t> value = std::nullopt,
                      std::optional<std::uint32_t> pid = std::nullopt) {
  for (const auto& item : shmipc::journal_decode(s.raw, 0).items) {
    const auto& r = item.record;
    if (r.kind != static_cast<std::uint16_t>(kind)) continue;
    if (value && r.value != *value) continue;
    if (pid && r.pid != *pid) continue;
    return true;
  }
  return false;
}

inline double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// The latency from a peer's death to its survivor noticing: printed, bounded only generously.
inline void report_detection(const char* what, Clock::time_point died, Clock::time_point noticed) {
  const double ms = ms_between(died, noticed);
  MESSAGE(what << ": the death was noticed " << ms << " ms after it was reaped");
  std::printf("[fault-matrix] %s: detected after %.1f ms\n", what, ms);
  CHECK(ms < 5000.0);
}

// With nobody in the middle of an action: no lock held, no count, slot or step left by a dead
// process, every participant alive.
inline void check_nothing_left_wrong(const shmipc::Snapshot& s) {
  for (const auto& p : s.problems) FAIL_CHECK(p.field << ": " << p.problem);
  CHECK(s.message.consistent);
  CHECK(s.mutex.owner_pid == 0);
  CHECK(s.mutex.waiters == 0);
  CHECK(s.mutex.stale_waiters == 0);
  for (std::size_t i = 0; i < s.waiters.size(); ++i) {
    const auto& w = s.waiters[i];
    if (!w.in_use()) continue;
    CAPTURE(i);
    CAPTURE(w.owner_pid);
    CHECK(w.alive);
  }
  for (const auto& e : s.events) CHECK(e.stale_waiters == 0);
  for (const auto& p : s.participants) {
    if (!p.in_use()) continue;
    CAPTURE(p.pid);
    CHECK(p.alive);
  }
}

// What an in-process parent has seen.
struct ParentLog {
  std::vector<std::uint32_t> started;
  std::vector<shmipc::ReceivedMessage> messages;
  bool killed = false;

  bool got(const std::string& text) const {
    for (const auto& m : messages)
      if (m.data == text && !m.torn && m.checksum_ok && !m.withdrawn) return true;
    return false;
  }
};

// Runs the parent's loop until `done` says so or the time is up.
template <typename Done>
bool pump(shmipc::ParentPeer& parent, ParentLog& log, Done done,
          std::chrono::milliseconds limit = 20s) {
  const auto end = Clock::now() + limit;
  while (!done(log)) {
    if (Clock::now() >= end) return false;
    const auto event = parent.next(shmipc::deadline_after(100ms), false);
    if (const auto* s = std::get_if<shmipc::ChildStarted>(&event)) log.started.push_back(s->child_pid);
    if (const auto* m = std::get_if<shmipc::ReceivedMessage>(&event)) log.messages.push_back(*m);
    if (const auto* c = std::get_if<shmipc::ReceivedCommand>(&event))
      log.killed = log.killed || c->command == shmipc::Command::KillApp;
  }
  return true;
}

// A new child (a `shmipc child` process) joins and exchanges a message with the parent.
inline void new_child_exchanges(const std::string& session, shmipc::ParentPeer& parent,
                                ParentLog& log, const std::string& text = "after") {
  auto child = shmtest::ChildProcess::spawn(shmipc_cmd("child", session, {"--send", text, "--kill"}));
  CHECK(pump(parent, log, [&](const ParentLog& l) { return l.got(text) && l.killed; }));
  CHECK(child.wait_for(20s) == std::optional<int>(0));
  CHECK_MESSAGE(says(child, "received by the parent"), child.stdout_text() << child.stderr_text());
}

}  // namespace faulttest
