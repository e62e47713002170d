// Auto-reset events between threads of one process sharing an anonymous block. The same code
// runs between processes; threads let ThreadSanitizer (preset "tsan") check every shared
// access and the happens-before edges the events promise.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "../core/anonymous_block.hpp"
#include "shmipc/auto_reset_event.hpp"
#include "test_process.hpp"

using namespace shmipc;
using namespace std::chrono_literals;

namespace {

Deadline in(std::chrono::milliseconds d) { return std::chrono::steady_clock::now() + d; }

}  // namespace

TEST_CASE("one set releases exactly one of four waiting threads, and its data is visible to it") {
  shmtest::Watchdog dog(100s);
  shmtest::AnonymousBlock block;
  constexpr int kRounds = 1000;
  std::atomic<bool> stop{false};
  std::atomic<int> released{0};
  // Plain (non-atomic) data handed over by the event: the set must publish it to the waiter
  // that consumes the signal (ThreadSanitizer reports a race if it does not).
  int payload = 0;
  long long sum_seen = 0;
  std::vector<std::thread> waiters;
  for (int w = 0; w < 4; ++w) {
    waiters.emplace_back([&] {
      Events events(block.actor(Role::Parent));
      while (!stop.load()) {
        if (!events.wait(EventId::SendMessage, in(50ms), Events::TimeoutRecord::Silent)) continue;
        sum_seen += payload;  // only the one released thread touches it until the receipt
        released.fetch_add(1);
        events.set(EventId::ReceiveMessage);
      }
    });
  }
  Events setter(block.actor(Role::Child));
  long long sum_sent = 0;
  for (int round = 1; round <= kRounds; ++round) {
    payload = round;
    sum_sent += round;
    setter.set(EventId::SendMessage);
    REQUIRE(setter.wait(EventId::ReceiveMessage, in(20s)));
    // Exactly one waiter per set: a second release would have counted twice by now or later.
    REQUIRE(released.load() == round);
  }
  stop.store(true);
  for (auto& t : waiters) t.join();
  CHECK(released.load() == kRounds);
  CHECK(sum_seen == sum_sent);
  CHECK(block->events[static_cast<int>(EventId::SendMessage)].signalled.load() == 0);
  CHECK(block->events[static_cast<int>(EventId::SendMessage)].times_consumed.load() == kRounds);
}

TEST_CASE("a ping-pong between two threads loses no wake-up") {
  shmtest::Watchdog dog(100s);
  shmtest::AnonymousBlock block;
  constexpr int kRounds = 5000;
  std::thread pong([&] {
    Events events(block.actor(Role::Child));
    for (int i = 0; i < kRounds; ++i) {
      if (!events.wait(EventId::SendCommand, in(20s))) return;
      events.set(EventId::ReceiveCommand);
    }
  });
  Events events(block.actor(Role::Parent));
  int completed = 0;
  for (; completed < kRounds; ++completed) {
    events.set(EventId::SendCommand);
    if (!events.wait(EventId::ReceiveCommand, in(20s))) break;
  }
  pong.join();
  CHECK(completed == kRounds);
}

TEST_CASE("threads setting one event at once coalesce, and no signal is consumed twice") {
  shmtest::Watchdog dog(100s);
  shmtest::AnonymousBlock block;
  constexpr int kSetters = 3;
  constexpr int kSetsEach = 2000;
  std::atomic<int> setters_done{0};
  std::atomic<int> consumed{0};
  std::atomic<int> coalesced{0};
  std::vector<std::thread> threads;
  for (int s = 0; s < kSetters; ++s) {
    threads.emplace_back([&] {
      Events events(block.actor(Role::Child));
      for (int i = 0; i < kSetsEach; ++i) {
        if (events.set(EventId::ChildAcknowledge)) coalesced.fetch_add(1);
      }
      setters_done.fetch_add(1);
    });
  }
  for (int c = 0; c < 2; ++c) {
    threads.emplace_back([&] {
      Events events(block.actor(Role::Parent));
      // Until every setter is done and the last signal (if any) is taken.
      while (setters_done.load() < kSetters ||
             block->events[static_cast<int>(EventId::ChildAcknowledge)].signalled.load() != 0) {
        if (events.wait(EventId::ChildAcknowledge, in(20ms), Events::TimeoutRecord::Silent))
          consumed.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  const EventState& state = block->events[static_cast<int>(EventId::ChildAcknowledge)];
  MESSAGE("sets: " << kSetters * kSetsEach << ", coalesced: " << coalesced.load()
                   << ", consumed: " << consumed.load());
  CHECK(state.times_set.load() == kSetters * kSetsEach);
  CHECK(state.times_consumed.load() == static_cast<std::uint64_t>(consumed.load()));
  // Every set either made a new signal or coalesced into one not yet taken; each signal was
  // consumed once.
  CHECK(consumed.load() + coalesced.load() == kSetters * kSetsEach);
  CHECK(state.signalled.load() == 0);
}
