// Auto-reset events with Windows semantics, across real processes sharing one block.
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <vector>

#include "anonymous_block.hpp"
#include "shmipc/auto_reset_event.hpp"
#include "shmipc/journal.hpp"
#include "test_process.hpp"

using namespace shmipc;
using namespace std::chrono_literals;

namespace {

// How many waiter slots currently wait for `e` (optionally: owned by `pid`).
int waiting_for(const Block& b, EventId e, std::uint32_t pid = 0) {
  int n = 0;
  for (const WaiterSlot& w : b.waiters) {
    if (w.owner_tid.load() == 0) continue;
    if ((w.wait_mask.load() & event_bit(e)) == 0) continue;
    if (pid != 0 && w.owner_pid.load() != pid) continue;
    ++n;
  }
  return n;
}

std::vector<JournalRecord> records_of(const Block& b, JournalKind kind) {
  std::vector<JournalRecord> out;
  for (const JournalItem& item : journal_read(b, 0).items) {
    if (item.record.kind == static_cast<std::uint16_t>(kind)) out.push_back(item.record);
  }
  return out;
}

}  // namespace

TEST_CASE("a set with no waiter stays signalled until exactly one wait consumes it") {
  shmtest::Watchdog watchdog(30s, "set without waiter");
  shmtest::AnonymousBlock block;
  Actor who = block.actor(Role::Child);
  Events events(who);

  CHECK_FALSE(events.set(EventId::SendMessage));
  CHECK(block->events[1].signalled.load() == 1);
  CHECK(block->events[1].last_setter_pid.load() == who.pid);
  CHECK(block->events[1].last_setter_role.load() == static_cast<std::uint32_t>(Role::Child));

  // The signal waits for a consumer in another process.
  auto consumer = shmtest::ChildProcess::fork([&block] {
    Events mine(block.actor(Role::Parent));
    return mine.wait(EventId::SendMessage, deadline_after(10s)) ? 0 : 1;
  });
  REQUIRE(consumer.wait_for(20s) == 0);
  CHECK(block->events[1].signalled.load() == 0);
  CHECK(block->events[1].times_consumed.load() == 1);
  CHECK(block->events[1].last_consumer_pid.load() == static_cast<std::uint32_t>(consumer.pid()));

  // Consumed once: nothing is left for a second waiter.
  CHECK_FALSE(events.try_consume(EventId::SendMessage));
  CHECK_FALSE(events.wait(EventId::SendMessage, deadline_after(20ms)));
  CHECK(block->events[1].times_consumed.load() == 1);
}

TEST_CASE("two sets with no waiter coalesce into one signal") {
  shmtest::AnonymousBlock block;
  Events events(block.actor(Role::Child));
  CHECK_FALSE(events.set(EventId::SendCommand));
  CHECK(events.set(EventId::SendCommand));  // already signalled: coalesced
  CHECK(block->events[3].times_set.load() == 2);

  CHECK(events.wait(EventId::SendCommand, deadline_after(1s)));
  CHECK_FALSE(events.try_consume(EventId::SendCommand));
  CHECK(block->events[3].times_consumed.load() == 1);

  auto sets = records_of(*block, JournalKind::EventSet);
  REQUIRE(sets.size() == 2);
  CHECK(sets[0].arg == 3);
  CHECK(sets[0].value == 0);
  CHECK(sets[1].value == 1);
  auto consumed = records_of(*block, JournalKind::EventConsumed);
  REQUIRE(consumed.size() == 1);
  CHECK(consumed[0].arg == 3);
}

TEST_CASE("a set with two waiting processes releases exactly one of them") {
  shmtest::Watchdog watchdog(60s, "two waiters");
  shmtest::AnonymousBlock block;
  auto waiter = [&block] {
    Events mine(block.actor(Role::Parent));
    return mine.wait(EventId::ReceiveMessage, deadline_after(30s)) ? 0 : 1;
  };
  auto a = shmtest::ChildProcess::fork(waiter);
  auto b = shmtest::ChildProcess::fork(waiter);
  REQUIRE(
      shmtest::eventually([&] { return waiting_for(*block, EventId::ReceiveMessage) == 2; }, 10s));

  Events events(block.actor(Role::Child));
  events.set(EventId::ReceiveMessage);
  REQUIRE(shmtest::eventually([&] { return !a.running() || !b.running(); }, 10s));
  shmtest::ChildProcess& released = a.running() ? b : a;
  shmtest::ChildProcess& still_waiting = a.running() ? a : b;
  CHECK(released.wait_for(1s) == 0);
  // The one signal went to one waiter; the other is asleep in its slot again.
  CHECK(block->events[2].times_consumed.load() == 1);
  CHECK(block->events[2].signalled.load() == 0);
  CHECK(still_waiting.running());
  CHECK(waiting_for(*block, EventId::ReceiveMessage,
                    static_cast<std::uint32_t>(still_waiting.pid())) == 1);

  events.set(EventId::ReceiveMessage);
  CHECK(still_waiting.wait_for(20s) == 0);
  CHECK(block->events[2].times_consumed.load() == 2);
  CHECK(waiting_for(*block, EventId::ReceiveMessage) == 0);
}

TEST_CASE("a wait times out at its monotonic deadline and journals the timeout") {
  shmtest::AnonymousBlock block;
  Events events(block.actor(Role::Parent));
  auto deadline = deadline_after(100ms);
  CHECK_FALSE(events.wait(EventId::ChildAcknowledge, deadline));
  CHECK(std::chrono::steady_clock::now() >= *deadline);

  const EventId any[] = {EventId::SendCommand, EventId::SendMessage};
  auto deadline_any = deadline_after(50ms);
  CHECK_FALSE(events.wait_any(any, deadline_any).has_value());
  CHECK(std::chrono::steady_clock::now() >= *deadline_any);

  // A deadline already in the past still takes a signal that is there.
  events.set(EventId::SendMessage);
  CHECK(events.wait_any(any, deadline_any) == EventId::SendMessage);

  auto timeouts = records_of(*block, JournalKind::EventTimeout);
  REQUIRE(timeouts.size() == 2);
  CHECK(timeouts[0].arg == event_bit(EventId::ChildAcknowledge));
  CHECK(timeouts[1].arg == (event_bit(EventId::SendCommand) | event_bit(EventId::SendMessage)));
  // The waiter slot is released on timeout.
  for (const WaiterSlot& w : block->waiters) CHECK(w.owner_tid.load() == 0);
}

TEST_CASE("wait_any returns the signalled event and prefers earlier entries") {
  shmtest::Watchdog watchdog(30s, "wait_any");
  shmtest::AnonymousBlock block;
  Events events(block.actor(Role::Parent));
  const EventId parent_wait[] = {EventId::ChildAcknowledge, EventId::SendCommand,
                                 EventId::SendMessage};

  events.set(EventId::SendMessage);
  CHECK(events.wait_any(parent_wait, deadline_after(1s)) == EventId::SendMessage);

  events.set(EventId::SendMessage);
  events.set(EventId::ChildAcknowledge);
  events.set(EventId::SendCommand);
  CHECK(events.wait_any(parent_wait, deadline_after(1s)) == EventId::ChildAcknowledge);
  CHECK(events.wait_any(parent_wait, deadline_after(1s)) == EventId::SendCommand);
  CHECK(events.wait_any(parent_wait, deadline_after(1s)) == EventId::SendMessage);
  CHECK_FALSE(events.wait_any(parent_wait, deadline_after(10ms)).has_value());

  // An event outside the set does not release the wait; one inside it does.
  auto waiter = shmtest::ChildProcess::fork([&block, &parent_wait] {
    Events mine(block.actor(Role::Parent));
    auto got = mine.wait_any(parent_wait, deadline_after(20s));
    return got == EventId::SendCommand ? 0 : 1;
  });
  REQUIRE(shmtest::eventually([&] { return waiting_for(*block, EventId::SendCommand) == 1; }, 10s));
  Events setter(block.actor(Role::Child));
  setter.set(EventId::ReceiveCommand);
  setter.set(EventId::SendCommand);
  CHECK(waiter.wait_for(20s) == 0);
  CHECK(block->events[4].signalled.load() == 1);  // nobody waited for ReceiveCommand
}

TEST_CASE("a waiter SIGKILLed inside its wait never hangs the setter, and the event still works") {
  shmtest::Watchdog watchdog(120s, "killed waiters");
  shmtest::AnonymousBlock block;
  Events events(block.actor(Role::Child));
  // More rounds than waiter slots: later waiters must take over slots of the dead.
  for (int round = 0; round < 50; ++round) {
    CAPTURE(round);
    auto victim = shmtest::ChildProcess::fork([&block] {
      Events mine(block.actor(Role::Parent));
      mine.wait(EventId::SendCommand);  // forever
      return 1;
    });
    auto pid = static_cast<std::uint32_t>(victim.pid());
    REQUIRE(shmtest::eventually([&] { return waiting_for(*block, EventId::SendCommand, pid) == 1; },
                                10s));
    victim.kill(SIGKILL);
    REQUIRE(victim.wait_for(10s) == 128 + SIGKILL);

    events.set(EventId::SendCommand);  // wakes a dead slot: must return
    CHECK(events.try_consume(EventId::SendCommand));
  }
  CHECK(waiting_for(*block, EventId::SendCommand) == kWaiterSlots);  // all stale now

  auto live = shmtest::ChildProcess::fork([&block] {
    Events mine(block.actor(Role::Parent));
    return mine.wait(EventId::SendCommand, deadline_after(20s)) ? 0 : 1;
  });
  auto live_pid = static_cast<std::uint32_t>(live.pid());
  REQUIRE(shmtest::eventually(
      [&] { return waiting_for(*block, EventId::SendCommand, live_pid) == 1; }, 10s));
  events.set(EventId::SendCommand);
  CHECK(live.wait_for(20s) == 0);
}

TEST_CASE("a cross-process ping-pong of 10000 round trips loses no wake-up") {
  shmtest::Watchdog watchdog(120s, "ping-pong");
  shmtest::AnonymousBlock block;
  constexpr int kRounds = 10000;
  auto child = shmtest::ChildProcess::fork([&block] {
    Events mine(block.actor(Role::Child));
    for (int i = 0; i < kRounds; ++i) {
      if (!mine.wait(EventId::SendMessage, deadline_after(20s))) return 1;
      mine.set(EventId::ReceiveMessage);
    }
    return 0;
  });
  Events events(block.actor(Role::Parent));
  int completed = 0;
  for (int i = 0; i < kRounds; ++i) {
    events.set(EventId::SendMessage);
    if (!events.wait(EventId::ReceiveMessage, deadline_after(20s))) break;
    ++completed;
  }
  CHECK(completed == kRounds);
  CHECK(child.wait_for(30s) == 0);
  CHECK(block->events[1].times_set.load() == kRounds);
  CHECK(block->events[1].times_consumed.load() == kRounds);
  CHECK(block->events[2].times_set.load() == kRounds);
  CHECK(block->events[2].times_consumed.load() == kRounds);
}

TEST_CASE("in the journal every EventConsumed comes after the EventSet it consumed") {
  shmtest::Watchdog watchdog(60s, "journal order of events");
  shmtest::AnonymousBlock block;
  constexpr int kRounds = 500;  // 4 records per round: the whole run fits in the journal
  static_assert(4 * kRounds <= kJournalCapacity);
  auto child = shmtest::ChildProcess::fork([&block] {
    Events mine(block.actor(Role::Child));
    for (int i = 0; i < kRounds; ++i) {
      if (!mine.wait(EventId::SendMessage, deadline_after(20s))) return 1;
      mine.set(EventId::ReceiveMessage);
    }
    return 0;
  });
  Events events(block.actor(Role::Parent));
  for (int i = 0; i < kRounds; ++i) {
    events.set(EventId::SendMessage);
    REQUIRE(events.wait(EventId::ReceiveMessage, deadline_after(20s)));
  }
  REQUIRE(child.wait_for(30s) == 0);

  JournalRead r = journal_read(*block, 0);
  REQUIRE(r.lost == 0);
  REQUIRE(r.items.size() == 4 * kRounds);
  std::uint64_t sets[kEventCount] = {};
  std::uint64_t consumed[kEventCount] = {};
  for (const JournalItem& item : r.items) {
    REQUIRE(item.record.arg < kEventCount);
    if (item.record.kind == static_cast<std::uint16_t>(JournalKind::EventSet)) {
      ++sets[item.record.arg];
    } else if (item.record.kind == static_cast<std::uint16_t>(JournalKind::EventConsumed)) {
      ++consumed[item.record.arg];
      CAPTURE(item.seq);
      CHECK(consumed[item.record.arg] <= sets[item.record.arg]);
    }
  }
  CHECK(sets[1] == kRounds);
  CHECK(consumed[2] == kRounds);
}
