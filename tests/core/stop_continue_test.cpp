// SIGSTOP / SIGCONT of a peer at each blocking point: a stopped process is alive, so nothing
// of its is reclaimed (no slot, no count, no lock); bounded waits say who is stopped; after
// SIGCONT the exchange goes on.
#include <doctest/doctest.h>

#include <string>

#include "fault_support.hpp"
#include "shmipc/liveness.hpp"
#include "shmipc/robust_mutex.hpp"
#include "shmipc/step_controller.hpp"

using namespace faulttest;

namespace {

bool holds_live_slot(const shmipc::Snapshot& s, int pid, shmipc::EventId e) {
  for (const auto& w : s.waiters)
    if (w.in_use() && w.alive && w.owner_pid == static_cast<std::uint32_t>(pid) &&
        (w.wait_mask & shmipc::event_bit(e)) != 0)
      return true;
  return false;
}

shmipc::Liveness liveness(const shmipc::Snapshot& s, std::size_t slot) {
  const auto& p = s.participants[slot];
  return shmipc::liveness_of(p.alive, p.pid, p.activity, p.heartbeat_ns, shmipc::monotonic_ns());
}

}  // namespace

TEST_CASE("a child stopped while waiting for its receipt keeps its waiter slot and gets the receipt after SIGCONT") {
  shmtest::Watchdog watchdog(90s, "stop receipt wait");
  const std::string name = shmtest::unique_session_name("stop-receipt");
  Cleanup cleanup{name};
  auto me = join(name, shmipc::RoleRequest::Parent);
  shmipc::ParentPeer parent(*me);
  ParentLog log;
  auto child = shmtest::ChildProcess::spawn(shmipc_cmd("child", name, {"--send", "x", "--timeout", "20"}));
  REQUIRE(shmtest::eventually(
      [&] { return holds_live_slot(snapshot_of(name), child.pid(), shmipc::EventId::ReceiveMessage); }, 10s));
  child.kill(SIGSTOP);
  REQUIRE(shmtest::eventually([&] { return liveness(snapshot_of(name), shmipc::kChildSlot) == shmipc::Liveness::Stopped; }, 10s));
  REQUIRE(pump(parent, log, [](const ParentLog& l) { return l.got("x"); }));
  // The receipt set meanwhile woke nobody who could run: the slot is still the child's, live.
  const auto s = snapshot_of(name);
  CHECK(holds_live_slot(s, child.pid(), shmipc::EventId::ReceiveMessage));
  CHECK(s.events[static_cast<std::size_t>(shmipc::EventId::ReceiveMessage)].stale_waiters == 0);
  child.kill(SIGCONT);
  CHECK(child.wait_for(20s) == std::optional<int>(0));
  CHECK(says(child, "received by the parent"));
}

TEST_CASE("a parent stopped while waiting for an event and continued before the child's timeout delivers the message") {
  shmtest::Watchdog watchdog(90s, "stop event wait");
  const std::string name = shmtest::unique_session_name("stop-event");
  Cleanup cleanup{name};
  auto parent = shmtest::ChildProcess::spawn(shmipc_cmd("parent", name));
  REQUIRE(shmtest::eventually([&] { return says(parent, "waiting for the child"); }, 10s));
  REQUIRE(shmtest::eventually(
      [&] { return holds_live_slot(snapshot_of(name), parent.pid(), shmipc::EventId::SendMessage); }, 10s));
  parent.kill(SIGSTOP);
  REQUIRE(shmtest::eventually([&] { return liveness(snapshot_of(name), shmipc::kParentSlot) == shmipc::Liveness::Stopped; }, 10s));
  auto child = shmtest::ChildProcess::spawn(shmipc_cmd("child", name, {"--send", "late", "--kill", "--timeout", "20"}));
  REQUIRE(shmtest::eventually(
      [&] { return holds_live_slot(snapshot_of(name), child.pid(), shmipc::EventId::ReceiveMessage); }, 10s));
  const auto s = snapshot_of(name);
  CHECK(holds_live_slot(s, parent.pid(), shmipc::EventId::SendMessage));
  for (const auto& e : s.events) CHECK(e.stale_waiters == 0);
  parent.kill(SIGCONT);
  CHECK(child.wait_for(20s) == std::optional<int>(0));
  CHECK(says(child, "received by the parent"));
  CHECK(shmtest::eventually([&] { return says(parent, "): late"); }, 10s));
  CHECK(parent.wait_for(10s) == std::optional<int>(0));
}

TEST_CASE("a child stopped while waiting for the mutex is still counted, does not block others, and sends after SIGCONT") {
  shmtest::Watchdog watchdog(90s, "stop mutex wait");
  const std::string name = shmtest::unique_session_name("stop-mutex");
  Cleanup cleanup{name};
  auto me = join(name, shmipc::RoleRequest::Parent);
  shmipc::ParentPeer parent(*me);
  ParentLog log;
  auto tool = join(name, shmipc::RoleRequest::Tool);
  shmipc::RobustMutex mutex(tool->actor());
  REQUIRE(mutex.lock().acquired);
  auto child = shmtest::ChildProcess::spawn(shmipc_cmd("child", name, {"--send", "x", "--timeout", "20"}));
  REQUIRE(shmtest::eventually([&] { return snapshot_of(name).mutex.waiters == 1; }, 10s));
  child.kill(SIGSTOP);
  REQUIRE(shmtest::eventually([&] { return liveness(snapshot_of(name), shmipc::kChildSlot) == shmipc::Liveness::Stopped; }, 10s));
  mutex.unlock();
  // The stopped waiter does not hold the released mutex hostage.
  const auto relock = mutex.lock(shmipc::deadline_after(5s));
  CHECK(relock.acquired);
  CHECK_FALSE(relock.owner_died);
  if (relock.acquired) mutex.unlock();
  const auto s = snapshot_of(name);
  CHECK(s.mutex.live_waiters() == 1);
  CHECK(s.mutex.stale_waiters == 0);
  child.kill(SIGCONT);
  CHECK(pump(parent, log, [](const ParentLog& l) { return l.got("x"); }));
  CHECK(child.wait_for(20s) == std::optional<int>(0));
  check_nothing_left_wrong(snapshot_of(name));
}

TEST_CASE("a parent stopped holding the mutex: the child's bounded wait says so, nothing is reclaimed, and the parent goes on after SIGCONT") {
  shmtest::Watchdog watchdog(90s, "stop holding mutex");
  const std::string name = shmtest::unique_session_name("stop-holder");
  Cleanup cleanup{name};
  // The parent stops itself right after taking the mutex to read message #1.
  auto parent = shmtest::ChildProcess::spawn(shmipc_cmd("parent", name, {}, "after-lock:2:stop"));
  REQUIRE(shmtest::eventually([&] { return says(parent, "waiting for the child"); }, 10s));
  auto child = shmtest::ChildProcess::spawn(shmipc_cmd("child", name, {"--send", "held", "--timeout", "1.5"}));
  const auto code = child.wait_for(30s);
  REQUIRE(code.has_value());
  CHECK(*code == 10);
  const std::string err = child.stderr_text();
  CAPTURE(err);
  CHECK(err.find("stopped (state T)") != std::string::npos);
  CHECK(err.find("NOT delivered") != std::string::npos);
  const auto s = snapshot_of(name);
  CHECK(s.mutex.owner_pid == static_cast<std::uint32_t>(parent.pid()));
  CHECK(s.mutex.owner_died_count == 0);
  parent.kill(SIGCONT);
  // It read the message it had locked for: the child said it may still be read.
  CHECK(shmtest::eventually([&] { return says(parent, "): held"); }, 10s));
  auto next = shmtest::ChildProcess::spawn(shmipc_cmd("child", name, {"--send", "after", "--kill"}));
  CHECK(next.wait_for(20s) == std::optional<int>(0));
  CHECK(shmtest::eventually([&] { return says(parent, "): after"); }, 10s));
  CHECK(parent.wait_for(10s) == std::optional<int>(0));
}

TEST_CASE("a child stopped while parked at a step gate is shown alive, and continues when granted after SIGCONT") {
  shmtest::Watchdog watchdog(90s, "stop step gate");
  const std::string name = shmtest::unique_session_name("stop-gate");
  Cleanup cleanup{name};
  auto parent = shmtest::ChildProcess::spawn(shmipc_cmd("parent", name));
  REQUIRE(shmtest::eventually([&] { return says(parent, "waiting for the child"); }, 10s));
  auto tool = join(name, shmipc::RoleRequest::Tool);
  shmipc::StepController driver(*tool);
  driver.enable();
  auto child = shmtest::ChildProcess::spawn(shmipc_cmd("child", name, {"--send", "stepped", "--kill", "--timeout", "20"}));
  REQUIRE(driver.wait_for_pending(shmipc::deadline_after(10s)));
  child.kill(SIGSTOP);
  REQUIRE(shmtest::eventually([&] { return liveness(snapshot_of(name), shmipc::kChildSlot) == shmipc::Liveness::Stopped; }, 10s));
  bool parked_alive = false;
  for (const auto& a : driver.pending())
    if (a.pid == static_cast<std::uint32_t>(child.pid())) parked_alive = a.alive;
  CHECK(parked_alive);
  child.kill(SIGCONT);
  driver.disable();
  CHECK(child.wait_for(20s) == std::optional<int>(0));
  CHECK(shmtest::eventually([&] { return says(parent, "): stepped"); }, 10s));
  CHECK(parent.wait_for(10s) == std::optional<int>(0));
}
