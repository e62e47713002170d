#include "shmipc/robust_mutex.hpp"

#include <pthread.h>
#include <time.h>

#include <cerrno>

#include "shmipc/adaptive_spin.hpp"
#include "journal_claim.hpp"
#include "shmipc/error.hpp"
#include "shmipc/fault_injection.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/message_area.hpp"
#include "shmipc/process_identity.hpp"
#include "stale_waiters.hpp"

namespace shmipc {

namespace {

timespec to_timespec(std::chrono::steady_clock::time_point t) noexcept {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  if (ns < 0) ns = 0;
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  return ts;
}

// Blocks on the pthread mutex; returns pthread's code (0, EOWNERDEAD, ETIMEDOUT, ...).
int lock_until(pthread_mutex_t& mutex, const Deadline& deadline) noexcept {
  if (!deadline) return ::pthread_mutex_lock(&mutex);
  timespec ts = to_timespec(*deadline);
  return ::pthread_mutex_clocklock(&mutex, CLOCK_MONOTONIC, &ts);
}

// As the kernel's own mutexes do: poll while the owner is running on another CPU (it is about
// to release), never while it sleeps or shares our CPU. Polls the owner record, which the
// owner clears right before it unlocks, and tries the lock only when it reads free, so the
// lock word's cache line is not stolen from the owner on every poll. Returns pthread's code
// of the last try: EBUSY when spinning did not get it (or was not worth starting).
int spin_for_mutex(const Actor& who, MutexArea& area, const Deadline& deadline) noexcept {
  const SpinPolicy policy = spin_policy();
  if (policy.budget_ns == 0) return EBUSY;
  const PartnerWords owner = who.participant_words(area.owner_pid.load(std::memory_order_relaxed));
  const std::uint32_t my_cpu = current_cpu();
  if (!worth_spinning(owner, my_cpu, policy.mode)) return EBUSY;
  who.set_activity(Activity::SpinningMutex);
  who.set_run_state(RunState::Spinning, my_cpu);
  int rc = EBUSY;
  spin_until(
      [&] {
        if (area.owner_pid.load(std::memory_order_relaxed) != 0) return false;
        rc = ::pthread_mutex_trylock(&area.mutex);
        return rc != EBUSY;
      },
      owner, policy, deadline_ns(deadline));
  who.set_activity(Activity::WaitingMutex);
  return rc;
}

}  // namespace

void RobustMutex::initialize(MutexArea& area) {
  pthread_mutexattr_t attr;
  int rc = ::pthread_mutexattr_init(&attr);
  if (rc != 0) throw_errno("pthread_mutexattr_init", rc);
  struct AttrGuard {
    pthread_mutexattr_t* a;
    ~AttrGuard() { ::pthread_mutexattr_destroy(a); }
  } guard{&attr};
  rc = ::pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  if (rc != 0) throw_errno("pthread_mutexattr_setpshared(PTHREAD_PROCESS_SHARED)", rc);
  rc = ::pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  if (rc != 0) throw_errno("pthread_mutexattr_setrobust(PTHREAD_MUTEX_ROBUST)", rc);
  // Error-checking: a thread that locks twice gets EDEADLK (reported) instead of hanging.
  rc = ::pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
  if (rc != 0) throw_errno("pthread_mutexattr_settype(PTHREAD_MUTEX_ERRORCHECK)", rc);
  rc = ::pthread_mutex_init(&area.mutex, &attr);
  if (rc != 0) throw_errno("pthread_mutex_init", rc);

  area.owner_pid.store(0, std::memory_order_relaxed);
  area.owner_tid.store(0, std::memory_order_relaxed);
  area.owner_role.store(0, std::memory_order_relaxed);
  area.waiters.store(0, std::memory_order_relaxed);
  area.owner_since_ns.store(0, std::memory_order_relaxed);
  area.lock_count.store(0, std::memory_order_relaxed);
  area.contended_count.store(0, std::memory_order_relaxed);
  area.total_hold_ns.store(0, std::memory_order_relaxed);
  area.owner_died_count.store(0, std::memory_order_relaxed);
  area.last_dead_owner_pid.store(0, std::memory_order_relaxed);
  area.last_owner_died_ns.store(0, std::memory_order_release);
}

LockOutcome RobustMutex::lock(Deadline deadline) {
  LockOutcome outcome;
  if (who_.block == nullptr) throw Error(ErrorCode::System, "RobustMutex used without a block");
  if (!who_.gate(JournalKind::LockRequested, 0, deadline)) return outcome;
  Block& block = *who_.block;
  MutexArea& area = block.mutex;

  who_.set_activity(Activity::WaitingMutex);
  area.waiters.fetch_add(1, std::memory_order_relaxed);
  // trylock first to tell whether we had to wait (contended_count, LockAcquired's arg). Got at
  // once, LockRequested and LockAcquired are journaled together after it, with one clock read
  // and one claim; otherwise LockRequested goes first, so observers see who waits.
  int rc = ::pthread_mutex_trylock(&area.mutex);
  const bool at_once = rc == 0;
  if (!at_once) journal_append(who_, JournalKind::LockRequested);
  if (rc == EBUSY) {
    outcome.waited = true;
    rc = spin_for_mutex(who_, area, deadline);
    if (rc == EBUSY) {
      who_.set_run_state(RunState::Blocked);
      rc = lock_until(area.mutex, deadline);
    }
    who_.set_run_state(RunState::Running, current_cpu());
  }
  // Saturating: a joiner may already have discounted us, had it judged us dead (a kill between
  // this line and the activity changing below is taken for a death inside lock()).
  detail::decrement_saturating(area.waiters);

  if (rc == ETIMEDOUT) {
    who_.set_activity(Activity::Idle);
    return outcome;
  }
  if (rc == ENOTRECOVERABLE) {
    who_.set_activity(Activity::Idle);
    throw Error(ErrorCode::System,
                "the session mutex is permanently unusable (ENOTRECOVERABLE): a previous owner "
                "died and its successor released it without marking it consistent; the "
                "session must be cleaned and recreated");
  }
  if (rc == EDEADLK) {
    who_.set_activity(Activity::HoldingMutex);
    throw Error(ErrorCode::System,
                "this thread already holds the session mutex (locking it again would deadlock)");
  }
  if (rc != 0 && rc != EOWNERDEAD) {
    who_.set_activity(Activity::Idle);
    throw_errno("pthread_mutex_clocklock", rc);
  }

  std::uint64_t now = monotonic_ns();
  if (rc == EOWNERDEAD) {
    // The owner record is whatever the dead owner left: it names who died.
    outcome.owner_died = true;
    outcome.dead_owner_pid = area.owner_pid.load(std::memory_order_relaxed);
    MessageArea& message = block.message;
    if (!message_area_consistent(message)) {
      // Killed mid-write: mark the message as torn so nobody reports it as valid, then make
      // the versions agree again so that later writes are judged on their own.
      outcome.torn_write_found = true;
      message.message_flags.fetch_or(kMessageFlagRecoveredTorn, std::memory_order_relaxed);
      message.version_head.store(message.version_tail.load(std::memory_order_relaxed),
                                 std::memory_order_release);
      journal_append(who_, JournalKind::TornWrite, 0,
                     message.message_sequence.load(std::memory_order_relaxed));
    }
    area.owner_died_count.fetch_add(1, std::memory_order_relaxed);
    area.last_dead_owner_pid.store(outcome.dead_owner_pid, std::memory_order_relaxed);
    area.last_owner_died_ns.store(now, std::memory_order_relaxed);
    journal_append(who_, JournalKind::OwnerDied, 0, outcome.dead_owner_pid);
    // Repair first, then consistent: if we die during the repair the next locker gets
    // EOWNERDEAD again and repeats it.
    int consistent_rc = ::pthread_mutex_consistent(&area.mutex);
    if (consistent_rc != 0) {
      ::pthread_mutex_unlock(&area.mutex);
      who_.set_activity(Activity::Idle);
      throw_errno("pthread_mutex_consistent", consistent_rc);
    }
  }

  area.owner_pid.store(who_.pid, std::memory_order_relaxed);
  area.owner_tid.store(current_tid(), std::memory_order_relaxed);
  area.owner_role.store(static_cast<std::uint32_t>(who_.role), std::memory_order_relaxed);
  area.owner_since_ns.store(now, std::memory_order_relaxed);
  area.lock_count.fetch_add(1, std::memory_order_relaxed);
  if (outcome.waited) area.contended_count.fetch_add(1, std::memory_order_relaxed);
  acquired_ns_ = now;
  outcome.acquired = true;
  who_.set_activity(Activity::HoldingMutex);
  if (at_once) {
    const JournalClaim both = journal_claim(who_, now, 2);
    journal_write(who_, both, JournalKind::LockRequested);
    journal_write(who_, next_of(both), JournalKind::LockAcquired, 0);
  } else {
    journal_append_at(who_, now, JournalKind::LockAcquired, outcome.waited ? 1 : 0);
  }
  fault::at(fault::Point::AfterLock);
  return outcome;
}

void RobustMutex::unlock() {
  MutexArea& area = who_.block->mutex;
  // Releasing is a step of its own in step mode: a class sees the holder keep the lock, and
  // the other side wait for it, until the release is granted.
  who_.gate(JournalKind::LockReleased);
  fault::at(fault::Point::BeforeUnlock);
  const std::uint64_t now = monotonic_ns();  // the one clock read of this step
  const std::uint64_t held = now > acquired_ns_ ? now - acquired_ns_ : 0;
  area.total_hold_ns.fetch_add(held, std::memory_order_relaxed);
  // Cleared before releasing: a non-zero owner record always names the current holder (or,
  // after a crash, the one that died holding it).
  area.owner_since_ns.store(0, std::memory_order_relaxed);
  area.owner_role.store(0, std::memory_order_relaxed);
  area.owner_tid.store(0, std::memory_order_relaxed);
  area.owner_pid.store(0, std::memory_order_release);
  journal_append_at(who_, now, JournalKind::LockReleased, 0, held);
  int rc = ::pthread_mutex_unlock(&area.mutex);
  who_.set_activity(Activity::Idle);
  if (rc != 0) throw_errno("pthread_mutex_unlock", rc);
}

}  // namespace shmipc
