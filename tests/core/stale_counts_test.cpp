// Counts and slots a dead waiter leaves behind (issue 8, "Stale waiter counts"): a child ended
// by a signal while it waited for a receipt, or inside RobustMutex::lock, or while claiming a
// waiter slot. Readers (status, the Observer) discount them at once; the block heals when the
// next peer joins or the next claimant needs the slot.
#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "fault_support.hpp"
#include "shmipc/auto_reset_event.hpp"
#include "shmipc/robust_mutex.hpp"

using namespace faulttest;

namespace {

const shmipc::SnapshotEvent& receipt_event(const shmipc::Snapshot& s) {
  return s.events[static_cast<std::size_t>(shmipc::EventId::ReceiveMessage)];
}

// The line `shmipc status` prints for one event or for the mutex.
std::string status_line(const std::string& session, const std::string& starts_with) {
  auto status = shmtest::ChildProcess::spawn(shmipc_cmd("status", session));
  REQUIRE(status.wait_for(20s) == std::optional<int>(0));
  const std::string out = status.stdout_text();
  const auto at = out.find(starts_with);
  REQUIRE_MESSAGE(at != std::string::npos, out);
  return out.substr(at, out.find('\n', at) - at);
}

bool waits_for_receipt(const std::string& session, int pid) {
  const auto s = snapshot_of(session);
  for (const auto& w : s.waiters)
    if (w.in_use() && w.alive && w.owner_pid == static_cast<std::uint32_t>(pid) &&
        (w.wait_mask & shmipc::event_bit(shmipc::EventId::ReceiveMessage)) != 0)
      return true;
  return false;
}

}  // namespace

TEST_CASE("a child ended by SIGTERM or SIGKILL while waiting for a receipt is not listed as a waiter") {
  shmtest::Watchdog watchdog(90s, "stale receipt waiter");
  for (const int sig : {SIGTERM, SIGKILL}) {
    CAPTURE(sig);
    const std::string name = shmtest::unique_session_name("stale-receipt");
    Cleanup cleanup{name};
    auto me = join(name, shmipc::RoleRequest::Parent);
    shmipc::ParentPeer parent(*me);
    ParentLog log;
    // Nobody reads: the child waits for its receipt until it is killed.
    auto child = shmtest::ChildProcess::spawn(shmipc_cmd("child", name, {"--send", "x"}));
    REQUIRE(shmtest::eventually([&] { return waits_for_receipt(name, child.pid()); }, 10s));
    child.kill(sig);
    REQUIRE(child.wait_for(10s) == std::optional<int>(128 + sig));

    const auto s = snapshot_of(name);
    CHECK(receipt_event(s).live_waiters() == 0);
    CHECK(receipt_event(s).stale_waiters == receipt_event(s).waiters);
    const std::string line = status_line(name, "  ReceiveMessage");
    CAPTURE(line);
    CHECK(line.find("waiters 0") != std::string::npos);
    CHECK(line.find("waiters 1") == std::string::npos);

    // The next child's join gives the slot back: the block itself no longer counts it.
    new_child_exchanges(name, parent, log);
    const auto healed = snapshot_of(name);
    CHECK(receipt_event(healed).waiters == 0);
    check_nothing_left_wrong(healed);
  }
}

TEST_CASE("a child ended by SIGTERM or SIGKILL inside RobustMutex::lock does not leave MutexArea::waiters too high") {
  shmtest::Watchdog watchdog(90s, "stale mutex waiter");
  for (const int sig : {SIGTERM, SIGKILL}) {
    CAPTURE(sig);
    const std::string name = shmtest::unique_session_name("stale-mutex");
    Cleanup cleanup{name};
    auto me = join(name, shmipc::RoleRequest::Parent);
    shmipc::ParentPeer parent(*me);
    ParentLog log;
    auto tool = join(name, shmipc::RoleRequest::Tool);
    shmipc::RobustMutex mutex(tool->actor());
    REQUIRE(mutex.lock().acquired);
    auto child = shmtest::ChildProcess::spawn(shmipc_cmd("child", name, {"--send", "x"}));
    REQUIRE(shmtest::eventually(
        [&] {
          const auto s = snapshot_of(name);
          return s.mutex.waiters == 1 &&
                 s.participants[shmipc::kChildSlot].activity == shmipc::Activity::WaitingMutex;
        },
        10s));
    child.kill(sig);
    REQUIRE(child.wait_for(10s) == std::optional<int>(128 + sig));

    const auto s = snapshot_of(name);
    CHECK(s.mutex.live_waiters() == 0);
    if (sig == SIGTERM) CHECK(s.mutex.waiters == 0);  // it left: its own leave took it back
    const std::string line = status_line(name, "mutex:");
    CAPTURE(line);
    CHECK(line.find("waiters 0") != std::string::npos);

    mutex.unlock();
    new_child_exchanges(name, parent, log);
    const auto healed = snapshot_of(name);
    CHECK(healed.mutex.waiters == 0);
    check_nothing_left_wrong(healed);
  }
}

TEST_CASE("a waiter killed while claiming a waiter slot does not lose it: the next claimant takes it over") {
  shmtest::Watchdog watchdog(90s, "slot claim");
  const std::string name = shmtest::unique_session_name("slot-claim");
  Cleanup cleanup{name};
  auto me = join(name, shmipc::RoleRequest::Parent);
  shmipc::ParentPeer parent(*me);
  ParentLog log;
  auto victim =
      shmtest::ChildProcess::spawn(shmipc_cmd("child", name, {"--send", "claimer"}, "slot-claim"));
  REQUIRE(victim.wait_for(20s) == std::optional<int>(kKilled));
  const auto victim_tid = static_cast<std::uint32_t>(victim.pid());  // single-threaded
  auto held_by_victim = [&](const shmipc::Snapshot& s) {
    for (const auto& w : s.waiters)
      if (w.owner_tid == victim_tid) return &w;
    return static_cast<const shmipc::SnapshotWaiter*>(nullptr);
  };
  {
    const auto s = snapshot_of(name);
    const auto* w = held_by_victim(s);
    REQUIRE(w != nullptr);
    CHECK_FALSE(w->alive);  // its owner fields were never written; its tid names it
    CHECK(w->wait_mask == 0);
  }
  // What the victim sent is read without waiting (its events are already set).
  REQUIRE(pump(parent, log, [](const ParentLog& l) { return l.got("claimer"); }));

  // Every other slot held by a live waiter: an observer process with 15 waiting threads.
  constexpr int kLive = static_cast<int>(shmipc::kWaiterSlots) - 1;
  auto holders = shmtest::ChildProcess::fork([&] {
    auto obs = join(name, shmipc::RoleRequest::Observer);
    std::vector<std::thread> threads;
    for (int i = 0; i < kLive; ++i)
      threads.emplace_back([&] {
        shmipc::Events(obs->actor())
            .wait(shmipc::EventId::ReceiveCommand, shmipc::deadline_after(4s),
                  shmipc::Events::TimeoutRecord::Silent);
      });
    for (auto& t : threads) t.join();
    return 0;
  });
  REQUIRE(shmtest::eventually(
      [&] {
        int used = 0;
        for (const auto& w : snapshot_of(name).waiters) used += w.in_use() ? 1 : 0;
        return used == static_cast<int>(shmipc::kWaiterSlots);
      },
      10s));
  // The parent's next wait needs a slot: the dead claimer's is the only one it may take.
  shmipc::ParentEvent event;
  CHECK_NOTHROW(event = parent.next(shmipc::deadline_after(200ms), false));
  CHECK(std::holds_alternative<shmipc::WaitTimedOut>(event));
  CHECK(held_by_victim(snapshot_of(name)) == nullptr);
  CHECK(holders.wait_for(20s) == std::optional<int>(0));

  new_child_exchanges(name, parent, log);
  check_nothing_left_wrong(snapshot_of(name));
}
