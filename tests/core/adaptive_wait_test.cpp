// Adaptive waiting (adaptive_spin.hpp) across real processes: spinning never loses a wake-up,
// whatever the policy, and a partner that is stopped or killed while it looks "running" never
// leaves a waiter burning its CPU. CPU cost is checked as a ratio of the waiter's own CPU time
// (getrusage) to the wait it sat through: a spinning waiter would be near 1, a blocked one near
// 0. Nothing asserts a duration.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <variant>

#include "anonymous_block.hpp"
#include "shmipc/adaptive_spin.hpp"
#include "shmipc/auto_reset_event.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/peer.hpp"
#include "shmipc/robust_mutex.hpp"
#include "shmipc/session.hpp"
#include "shmipc/snapshot.hpp"
#include "cli_helpers.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;

namespace {

using Cleanup = shmtest::SegmentCleanup;

std::unique_ptr<shmipc::Session> join(const std::string& name, shmipc::RoleRequest role) {
  shmipc::SessionOptions o;
  o.name = name;
  o.role = role;
  return shmipc::Session::join(o);
}

// Puts the spin policy back for the tests that follow.
struct PolicyScope {
  shmipc::SpinPolicy saved = shmipc::spin_policy();
  explicit PolicyScope(shmipc::SpinPolicy p) { shmipc::set_spin_policy(p); }
  ~PolicyScope() { shmipc::set_spin_policy(saved); }
};

double thread_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_THREAD, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

// The calling thread's CPU time while `wait` runs, as a share of the wall time it took.
template <typename Wait>
double cpu_share_of(Wait&& wait) {
  const auto wall0 = std::chrono::steady_clock::now();
  const double cpu0 = thread_cpu_seconds();
  wait();
  const double cpu = thread_cpu_seconds() - cpu0;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return wall > 0 ? cpu / wall : 1.0;
}

const char* mode_name(shmipc::SpinMode m) {
  return m == shmipc::SpinMode::Off ? "off" : m == shmipc::SpinMode::Always ? "always" : "adaptive";
}

}  // namespace

TEST_CASE("no wake-up is lost with spinning off, adaptive or always: 3,000 messages each") {
  for (shmipc::SpinMode mode :
       {shmipc::SpinMode::Off, shmipc::SpinMode::Adaptive, shmipc::SpinMode::Always}) {
    CAPTURE(mode_name(mode));
    shmtest::Watchdog watchdog(120s, std::string("ping-pong with spinning ") + mode_name(mode));
    PolicyScope policy({mode, shmipc::kDefaultSpinBudgetNs});  // inherited by the fork
    const std::string name = shmtest::unique_session_name("spin-pingpong");
    Cleanup cleanup{name};
    constexpr std::uint32_t kCount = 3000;
    auto parent_session = join(name, shmipc::RoleRequest::Parent);
    shmipc::ParentPeer parent(*parent_session);

    auto sender = shmtest::ChildProcess::fork([&] {
      auto s = join(name, shmipc::RoleRequest::Child);
      shmipc::ChildPeer child(*s);
      child.acknowledge();
      for (std::uint32_t i = 0; i < kCount; ++i) {
        // A lost wake-up would show as a receipt that never comes: bounded, then reported.
        const auto r = child.send_message(std::to_string(i), shmipc::deadline_after(10s));
        if (!r.receipt || r.sequence != i + 1) return 10;
      }
      if (!child.send_command(shmipc::Command::KillApp, 0, shmipc::deadline_after(10s))) return 11;
      s->leave();
      return 0;
    });

    std::uint32_t received = 0;
    bool in_order = true, killed = false, timed_out = false;
    while (!killed && !timed_out) {
      const auto event = parent.next(shmipc::deadline_after(10s));
      if (std::holds_alternative<shmipc::WaitTimedOut>(event)) timed_out = true;
      if (const auto* m = std::get_if<shmipc::ReceivedMessage>(&event)) {
        if (m->data != std::to_string(received) || !m->checksum_ok || m->torn) in_order = false;
        ++received;
      }
      if (const auto* c = std::get_if<shmipc::ReceivedCommand>(&event))
        killed = c->command == shmipc::Command::KillApp;
    }
    CHECK_FALSE(timed_out);
    CHECK(received == kCount);
    CHECK(in_order);
    CHECK(sender.wait_for(20s) == 0);
  }
}

TEST_CASE("events alone: 20,000 set/wait hand-offs between two processes, spinning always") {
  shmtest::Watchdog watchdog(120s, "event ping-pong");
  PolicyScope policy({shmipc::SpinMode::Always, shmipc::kMaxSpinBudgetNs});
  shmtest::AnonymousBlock block;
  constexpr int kRounds = 20000;
  auto echo = shmtest::ChildProcess::fork([&] {
    const shmipc::Actor me = block.actor(shmipc::Role::Parent, 0);
    shmipc::Events events(me);
    for (int i = 0; i < kRounds; ++i) {
      if (!events.wait(shmipc::EventId::SendMessage, shmipc::deadline_after(10s))) return 10;
      events.set(shmipc::EventId::ReceiveMessage);
    }
    return 0;
  });
  const shmipc::Actor me = block.actor(shmipc::Role::Child, 1);
  shmipc::Events events(me);
  int answered = 0;
  for (int i = 0; i < kRounds; ++i) {
    events.set(shmipc::EventId::SendMessage);
    if (!events.wait(shmipc::EventId::ReceiveMessage, shmipc::deadline_after(10s))) break;
    ++answered;
  }
  CHECK(answered == kRounds);
  CHECK(echo.wait_for(20s) == 0);
  // Auto-reset: every set was consumed exactly once, none coalesced into another.
  CHECK(block->events[1].times_consumed.load() == static_cast<std::uint64_t>(kRounds));
  CHECK(block->events[2].times_consumed.load() == static_cast<std::uint64_t>(kRounds));
}

TEST_CASE("a partner stopped or killed while marked running leaves the waiter blocked, not spinning") {
  shmtest::Watchdog watchdog(120s, "stopped partner");
  // Spinning always is the worst case: the partner's state is not even looked at, so only the
  // bound on each spin keeps the waiter's CPU low.
  for (shmipc::SpinMode mode : {shmipc::SpinMode::Adaptive, shmipc::SpinMode::Always}) {
    CAPTURE(mode_name(mode));
    PolicyScope policy({mode, shmipc::kMaxSpinBudgetNs});
    const std::string name = shmtest::unique_session_name("spin-stopped");
    Cleanup cleanup{name};
    auto parent_session = join(name, shmipc::RoleRequest::Parent);
    shmipc::ParentPeer parent(*parent_session);
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    auto child_process = shmtest::ChildProcess::fork([&]() -> int {
      auto s = join(name, shmipc::RoleRequest::Child);
      shmipc::ChildPeer child(*s);
      child.acknowledge();
      const char byte = 1;
      (void)::write(ready[1], &byte, 1);
      // Runs on another CPU as far as the block can tell (the test says so below), then is
      // stopped right there.
      for (;;) ::pause();
    });
    char byte = 0;
    REQUIRE(::read(ready[0], &byte, 1) == 1);
    ::close(ready[0]);
    ::close(ready[1]);
    REQUIRE(std::holds_alternative<shmipc::ChildStarted>(parent.next(shmipc::deadline_after(10s))));
    // What a spinner would see: the child running, on a CPU that is not ours.
    shmipc::Block& b = parent_session->block();
    b.participants[shmipc::kChildSlot].run_state.store(
        static_cast<std::uint32_t>(shmipc::RunState::Running));
    b.participants[shmipc::kChildSlot].cpu.store(shmipc::current_cpu() + 1);

    child_process.kill(SIGSTOP);
    // 1.5 s of waiting: two heartbeat slices, each may start with one bounded spin.
    double share = cpu_share_of([&] { parent.next(shmipc::deadline_after(1500ms)); });
    CHECK(share < 0.05);

    child_process.kill(SIGKILL);
    CHECK(child_process.wait_for(10s).has_value());
    share = cpu_share_of([&] { parent.next(shmipc::deadline_after(1500ms)); });
    CHECK(share < 0.05);
  }
}

TEST_CASE("a mutex owner that is stopped holding the mutex does not keep a locker spinning") {
  shmtest::Watchdog watchdog(60s, "stopped mutex owner");
  PolicyScope policy({shmipc::SpinMode::Adaptive, shmipc::kMaxSpinBudgetNs});
  shmtest::AnonymousBlock block;
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  auto owner = shmtest::ChildProcess::fork([&]() -> int {
    block->participants[1].role.store(static_cast<std::uint32_t>(shmipc::Role::Child));
    block->participants[1].pid.store(static_cast<std::uint32_t>(::getpid()));
    const shmipc::Actor me = block.actor(shmipc::Role::Child, 1);
    shmipc::RobustMutex mutex(me);
    if (!mutex.lock().acquired) return 10;
    const char byte = 1;
    (void)::write(ready[1], &byte, 1);
    for (;;) ::pause();
  });
  char byte = 0;
  REQUIRE(::read(ready[0], &byte, 1) == 1);
  ::close(ready[0]);
  ::close(ready[1]);
  // The owner looks like it runs on another CPU: the case where spinning is allowed.
  block->participants[1].run_state.store(static_cast<std::uint32_t>(shmipc::RunState::Running));
  block->participants[1].cpu.store(shmipc::current_cpu() + 1);
  owner.kill(SIGSTOP);

  const shmipc::Actor me = block.actor(shmipc::Role::Parent, 0);
  shmipc::RobustMutex mutex(me);
  shmipc::LockOutcome outcome;
  const double share = cpu_share_of([&] { outcome = mutex.lock(shmipc::deadline_after(1s)); });
  CHECK_FALSE(outcome.acquired);
  CHECK(share < 0.05);
  owner.kill(SIGKILL);
  CHECK(owner.wait_for(10s).has_value());
  // Killed holding it: the next lock recovers it at once (robust), spinning or not.
  outcome = mutex.lock(shmipc::deadline_after(5s));
  CHECK(outcome.acquired);
  CHECK(outcome.owner_died);
  if (outcome.acquired) mutex.unlock();
}

TEST_CASE("the adaptive decision: never for a blocked partner or one on our CPU") {
  std::atomic<std::uint32_t> cpu{3};
  std::atomic<std::uint32_t> state{static_cast<std::uint32_t>(shmipc::RunState::Running)};
  const shmipc::PartnerWords partner{&cpu, &state};
  using shmipc::SpinMode;
  CHECK(shmipc::worth_spinning(partner, 2, SpinMode::Adaptive));
  CHECK_FALSE(shmipc::worth_spinning(partner, 3, SpinMode::Adaptive));  // same CPU
  CHECK_FALSE(shmipc::worth_spinning(partner, 2, SpinMode::Off));
  state = static_cast<std::uint32_t>(shmipc::RunState::Spinning);
  CHECK(shmipc::worth_spinning(partner, 2, SpinMode::Adaptive));
  state = static_cast<std::uint32_t>(shmipc::RunState::Blocked);
  CHECK_FALSE(shmipc::worth_spinning(partner, 2, SpinMode::Adaptive));
  CHECK(shmipc::worth_spinning(partner, 2, SpinMode::Always));
  state = 77;  // garbage from the block is not trusted
  CHECK_FALSE(shmipc::worth_spinning(partner, 2, SpinMode::Adaptive));
  state = 0;
  cpu = shmipc::kUnknownCpu;
  CHECK_FALSE(shmipc::worth_spinning(partner, 2, SpinMode::Adaptive));
  CHECK_FALSE(shmipc::worth_spinning(shmipc::PartnerWords{}, 2, SpinMode::Adaptive));
}

TEST_CASE("observers see a spinning peer as spinning, and its CPU and run state") {
  shmtest::AnonymousBlock block;
  shmipc::ParticipantSlot& p = block->participants[1];
  p.role.store(static_cast<std::uint32_t>(shmipc::Role::Child));
  p.pid.store(4242);
  p.activity.store(static_cast<std::uint32_t>(shmipc::Activity::SpinningEvent));
  p.cpu.store(1);
  p.run_state.store(static_cast<std::uint32_t>(shmipc::RunState::Spinning));
  const auto* raw = reinterpret_cast<const std::byte*>(block.get());
  shmipc::Snapshot s = shmipc::decode_snapshot({raw, sizeof(shmipc::Block)});
  CHECK(s.participants[1].activity == shmipc::Activity::SpinningEvent);
  CHECK(shmipc::activity_name(s.participants[1].activity) == "spinning for an event");
  CHECK(shmipc::activity_name(shmipc::Activity::SpinningMutex) == "spinning for the mutex");
  CHECK(s.participants[1].cpu == 1);
  CHECK(s.participants[1].run_state == shmipc::RunState::Spinning);
  // (The anonymous block has no header: only problems of this slot matter here.)
  auto slot_problems = [](const shmipc::Snapshot& snap) {
    int n = 0;
    for (const auto& problem : snap.problems) n += problem.field.rfind("participants[1]", 0) == 0;
    return n;
  };
  CHECK(slot_problems(s) == 0);
  // A run state no writer produces is a problem of the block, named by its field.
  p.run_state.store(9);
  s = shmipc::decode_snapshot({raw, sizeof(shmipc::Block)});
  REQUIRE(slot_problems(s) == 1);
  bool named = false;
  for (const auto& problem : s.problems) named |= problem.field == "participants[1].run_state";
  CHECK(named);
}
