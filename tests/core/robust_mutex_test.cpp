// The robust process-shared mutex: owner record, timeouts, and recovery from owners killed
// while holding it (also in the middle of a versioned write).
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <cstring>

#include "anonymous_block.hpp"
#include "shmipc/auto_reset_event.hpp"
#include "shmipc/error.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/message_area.hpp"
#include "shmipc/process_identity.hpp"
#include "shmipc/robust_mutex.hpp"
#include "test_process.hpp"

using namespace shmipc;
using namespace std::chrono_literals;

namespace {

// A child that takes the mutex, says so with ChildAcknowledge, and holds it until it gets
// SendCommand (or is killed).
shmtest::ChildProcess holder(shmtest::AnonymousBlock& block) {
  return shmtest::ChildProcess::fork([&block] {
    Actor me = block.actor(Role::Child);
    RobustMutex mutex(me);
    Events events(me);
    if (!mutex.lock(deadline_after(10s)).acquired) return 2;
    events.set(EventId::ChildAcknowledge);
    bool released = events.wait(EventId::SendCommand, deadline_after(30s));
    mutex.unlock();
    return released ? 0 : 1;
  });
}

// Increments a counter that only the mutex protects, `times` times.
void count_under_lock(const Actor& who, int times) {
  RobustMutex mutex(who);
  for (int i = 0; i < times; ++i) {
    MutexGuard guard(mutex, deadline_after(10s));
    REQUIRE(guard.acquired());
    auto& counter = who.block->message.command_arg;
    counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
}

std::size_t count_kind(const Block& b, JournalKind kind, std::uint64_t value) {
  std::size_t n = 0;
  for (const JournalItem& item : journal_read(b, 0).items) {
    if (item.record.kind == static_cast<std::uint16_t>(kind) && item.record.value == value) ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("the owner record is current while the mutex is held and cleared after") {
  shmtest::Watchdog watchdog(60s, "owner record");
  shmtest::AnonymousBlock block;
  Actor me = block.actor(Role::Parent);
  RobustMutex mutex(me);
  {
    MutexGuard guard(mutex);
    REQUIRE(guard.acquired());
    CHECK_FALSE(guard.outcome().waited);
    CHECK(block->mutex.owner_pid.load() == me.pid);
    CHECK(block->mutex.owner_tid.load() == current_tid());
    CHECK(block->mutex.owner_role.load() == static_cast<std::uint32_t>(Role::Parent));
    CHECK(block->mutex.owner_since_ns.load() != 0);
    CHECK(block->mutex.lock_count.load() == 1);
  }
  CHECK(block->mutex.owner_pid.load() == 0);
  CHECK(block->mutex.owner_tid.load() == 0);
  CHECK(block->mutex.owner_since_ns.load() == 0);

  // Another process holding it is named in the record.
  auto child = holder(block);
  Events events(me);
  REQUIRE(events.wait(EventId::ChildAcknowledge, deadline_after(10s)));
  CHECK(block->mutex.owner_pid.load() == static_cast<std::uint32_t>(child.pid()));
  CHECK(block->mutex.owner_role.load() == static_cast<std::uint32_t>(Role::Child));
  events.set(EventId::SendCommand);
  REQUIRE(child.wait_for(20s) == 0);
  CHECK(block->mutex.owner_pid.load() == 0);
  CHECK(block->mutex.lock_count.load() == 2);
  CHECK(block->mutex.owner_died_count.load() == 0);

  // The journal tells the story in order.
  std::vector<std::uint16_t> kinds;
  for (const JournalItem& item : journal_read(*block, 0).items) {
    if (item.record.pid == me.pid) kinds.push_back(item.record.kind);
  }
  REQUIRE(kinds.size() >= 3);
  CHECK(kinds[0] == static_cast<std::uint16_t>(JournalKind::LockRequested));
  CHECK(kinds[1] == static_cast<std::uint16_t>(JournalKind::LockAcquired));
  CHECK(kinds[2] == static_cast<std::uint16_t>(JournalKind::LockReleased));
}

TEST_CASE("a timed lock times out while another process holds the mutex") {
  shmtest::Watchdog watchdog(60s, "timed lock");
  shmtest::AnonymousBlock block;
  Actor me = block.actor(Role::Parent);
  auto child = holder(block);
  Events events(me);
  REQUIRE(events.wait(EventId::ChildAcknowledge, deadline_after(10s)));

  RobustMutex mutex(me);
  auto deadline = deadline_after(100ms);
  LockOutcome outcome = mutex.lock(deadline);
  CHECK_FALSE(outcome.acquired);
  CHECK(outcome.waited);
  CHECK(std::chrono::steady_clock::now() >= *deadline);
  CHECK(block->mutex.waiters.load() == 0);
  CHECK(block->mutex.owner_pid.load() == static_cast<std::uint32_t>(child.pid()));

  events.set(EventId::SendCommand);
  REQUIRE(child.wait_for(20s) == 0);
  CHECK(mutex.lock(deadline_after(10s)).acquired);
  mutex.unlock();
}

TEST_CASE("a lock that had to wait is counted as contended and journalled as such") {
  shmtest::Watchdog watchdog(60s, "contended lock");
  shmtest::AnonymousBlock block;
  Actor me = block.actor(Role::Parent);
  // The holder lets go only once it sees somebody waiting.
  auto child = shmtest::ChildProcess::fork([&block] {
    Actor holder_actor = block.actor(Role::Child);
    RobustMutex mutex(holder_actor);
    if (!mutex.lock(deadline_after(10s)).acquired) return 2;
    Events(holder_actor).set(EventId::ChildAcknowledge);
    bool saw_waiter = shmtest::eventually([&] { return block->mutex.waiters.load() == 1; }, 20s);
    mutex.unlock();
    return saw_waiter ? 0 : 1;
  });
  REQUIRE(Events(me).wait(EventId::ChildAcknowledge, deadline_after(10s)));
  RobustMutex mutex(me);
  LockOutcome outcome = mutex.lock(deadline_after(30s));
  REQUIRE(outcome.acquired);
  CHECK(outcome.waited);
  mutex.unlock();
  CHECK(child.wait_for(20s) == 0);
  CHECK(block->mutex.contended_count.load() == 1);
  CHECK(block->mutex.lock_count.load() == 2);
  CHECK(count_kind(*block, JournalKind::LockAcquired, 0) == 2);  // value unused
  std::size_t waited_acquisitions = 0;
  for (const JournalItem& item : journal_read(*block, 0).items) {
    if (item.record.kind == static_cast<std::uint16_t>(JournalKind::LockAcquired) &&
        item.record.arg == 1) {
      ++waited_acquisitions;
    }
  }
  CHECK(waited_acquisitions == 1);
}

TEST_CASE("a process SIGKILLed while holding the mutex is recovered from by the survivor") {
  shmtest::Watchdog watchdog(60s, "owner killed");
  shmtest::AnonymousBlock block;
  Actor me = block.actor(Role::Parent);
  auto child = holder(block);
  REQUIRE(Events(me).wait(EventId::ChildAcknowledge, deadline_after(10s)));
  auto dead_pid = static_cast<std::uint32_t>(child.pid());
  child.kill(SIGKILL);
  REQUIRE(child.wait_for(10s) == 128 + SIGKILL);

  RobustMutex mutex(me);
  LockOutcome outcome = mutex.lock(deadline_after(10s));
  REQUIRE(outcome.acquired);
  CHECK(outcome.owner_died);
  CHECK(outcome.dead_owner_pid == dead_pid);
  CHECK_FALSE(outcome.torn_write_found);  // it died holding the lock, not mid-write
  CHECK(block->mutex.owner_died_count.load() == 1);
  CHECK(block->mutex.last_dead_owner_pid.load() == dead_pid);
  CHECK(block->mutex.last_owner_died_ns.load() != 0);
  CHECK(block->mutex.owner_pid.load() == me.pid);
  CHECK(count_kind(*block, JournalKind::OwnerDied, dead_pid) == 1);
  mutex.unlock();

  // It keeps working, for this process and for a new one, without further recoveries.
  block->message.command_arg.store(0);
  auto other = shmtest::ChildProcess::fork([&block] {
    count_under_lock(block.actor(Role::Child), 2000);
    return 0;
  });
  count_under_lock(me, 2000);
  REQUIRE(other.wait_for(30s) == 0);
  CHECK(block->message.command_arg.load() == 4000);
  CHECK(block->mutex.owner_died_count.load() == 1);
}

TEST_CASE(
    "a writer killed in the middle of a versioned write leaves a torn write the next owner finds") {
  shmtest::Watchdog watchdog(60s, "torn write");
  shmtest::AnonymousBlock block;
  Actor me = block.actor(Role::Parent);
  auto writer = shmtest::ChildProcess::fork([&block] {
    Actor child_actor = block.actor(Role::Child);
    RobustMutex mutex(child_actor);
    if (!mutex.lock(deadline_after(10s)).acquired) return 2;
    VersionedWrite write(block->message);
    block->message.data_size.store(5);
    block->message.message_sequence.store(1);
    std::memcpy(block->message.data, "hel", 3);
    Events(child_actor).set(EventId::SendMessage);
    Events(child_actor).wait(EventId::SendCommand);  // killed in here, mid-write
    return 1;
  });
  REQUIRE(Events(me).wait(EventId::SendMessage, deadline_after(10s)));
  CHECK_FALSE(message_area_consistent(block->message));
  writer.kill(SIGKILL);
  REQUIRE(writer.wait_for(10s) == 128 + SIGKILL);

  RobustMutex mutex(me);
  LockOutcome outcome = mutex.lock(deadline_after(10s));
  REQUIRE(outcome.acquired);
  CHECK(outcome.owner_died);
  CHECK(outcome.torn_write_found);
  CHECK((block->message.message_flags.load() & kMessageFlagRecoveredTorn) != 0);
  CHECK(message_area_consistent(block->message));
  CHECK(count_kind(*block, JournalKind::TornWrite, 1) == 1);
  mutex.unlock();

  // Recovered once: the next owner finds nothing to repair.
  LockOutcome next = mutex.lock(deadline_after(10s));
  CHECK(next.acquired);
  CHECK_FALSE(next.owner_died);
  CHECK_FALSE(next.torn_write_found);
  mutex.unlock();
}

TEST_CASE("a mutex made unrecoverable by a careless survivor is reported, not waited on") {
  shmtest::Watchdog watchdog(60s, "not recoverable");
  shmtest::AnonymousBlock block;
  Actor me = block.actor(Role::Parent);
  auto child = holder(block);
  REQUIRE(Events(me).wait(EventId::ChildAcknowledge, deadline_after(10s)));
  child.kill(SIGKILL);
  REQUIRE(child.wait_for(10s) == 128 + SIGKILL);
  // A survivor that unlocks without pthread_mutex_consistent ruins the mutex for good.
  REQUIRE(::pthread_mutex_lock(&block->mutex.mutex) == EOWNERDEAD);
  REQUIRE(::pthread_mutex_unlock(&block->mutex.mutex) == 0);

  RobustMutex mutex(me);
  try {
    mutex.lock(deadline_after(10s));
    FAIL("lock() returned on an unrecoverable mutex");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::System);
    CHECK(std::string(e.what()).find("ENOTRECOVERABLE") != std::string::npos);
  }
}

TEST_CASE("a thread that locks the mutex twice is told so instead of deadlocking") {
  shmtest::Watchdog watchdog(30s, "relock");
  shmtest::AnonymousBlock block;
  Actor me = block.actor(Role::Parent);
  RobustMutex mutex(me);
  REQUIRE(mutex.lock(deadline_after(1s)).acquired);
  RobustMutex again(me);
  CHECK_THROWS_AS(again.lock(deadline_after(1s)), Error);
  CHECK(block->mutex.owner_pid.load() == me.pid);  // still held by the first lock
  mutex.unlock();
  CHECK(again.lock(deadline_after(1s)).acquired);
  again.unlock();
}
