// The block's mutex: a pthread mutex with PTHREAD_PROCESS_SHARED and PTHREAD_MUTEX_ROBUST
// (Boost 1.74's interprocess mutexes stay locked forever when their holder is killed).
// The next locker after a dead owner gets EOWNERDEAD; lock() repairs the message area (a torn
// write is marked, never left looking valid), calls pthread_mutex_consistent and reports it.
#pragma once

#include <cstdint>

#include "shmipc/actor.hpp"
#include "shmipc/clock.hpp"

namespace shmipc {

struct LockOutcome {
  bool acquired = false;
  bool waited = false;            // someone else held it when we asked
  bool owner_died = false;        // we recovered it from a dead owner
  std::uint32_t dead_owner_pid = 0;
  bool torn_write_found = false;  // the dead owner was mid-write
};

class RobustMutex {
 public:
  // Creator only, before the block is marked ready.
  static void initialize(MutexArea& area);

  explicit RobustMutex(const Actor& who) : who_(who) {}

  // pthread_mutex_clocklock(CLOCK_MONOTONIC) with the deadline; journals LockRequested,
  // LockAcquired (and OwnerDied / TornWrite on recovery). Throws Error(System) on failure.
  LockOutcome lock(Deadline deadline = kForever);
  void unlock();  // journals LockReleased with the hold time

 private:
  Actor who_;
  std::uint64_t acquired_ns_ = 0;
};

class MutexGuard {
 public:
  explicit MutexGuard(RobustMutex& m, Deadline deadline = kForever)
      : m_(m), outcome_(m.lock(deadline)) {}
  ~MutexGuard() {
    if (outcome_.acquired) m_.unlock();
  }
  MutexGuard(const MutexGuard&) = delete;
  MutexGuard& operator=(const MutexGuard&) = delete;
  const LockOutcome& outcome() const { return outcome_; }
  bool acquired() const { return outcome_.acquired; }

 private:
  RobustMutex& m_;
  LockOutcome outcome_;
};

}  // namespace shmipc
