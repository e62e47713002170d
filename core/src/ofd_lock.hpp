// Open-file-description byte-range locks on a session segment (docs/PROTOCOL.md, "Role
// locks"). The kernel drops them when the last reference to the description goes (process
// death included), so they say who is alive without any pid guess. Unlike classic POSIX
// locks they conflict between two descriptors of one process.
#pragma once

#include <sys/types.h>

#include <chrono>

#include "shmipc/clock.hpp"

namespace shmipc::detail {

enum class LockByte : off_t { Parent = 0, Child = 1, Init = 2, Member = 3 };
enum class LockKind { Read, Write };

// F_OFD_SETLK without waiting: true if taken (or converted), false if another description
// holds a conflicting lock. Throws Error(System) on any other failure.
bool ofd_try_lock(int fd, LockByte byte, LockKind kind);

// Retries ofd_try_lock with short sleeps until the deadline (joining is not a hot path, and
// a bounded retry can never hang the way an unguarded F_OFD_SETLKW could).
bool ofd_lock_until(int fd, LockByte byte, LockKind kind, Deadline deadline);

void ofd_unlock(int fd, LockByte byte) noexcept;

// True if a description other than `fd`'s holds a lock on `byte` that conflicts with a lock
// of `kind` (probing with Write finds any holder; with Read only writers). F_OFD_GETLK needs
// no write access, so a read-only observer can probe.
bool ofd_conflict_exists(int fd, LockByte byte, LockKind kind);

}  // namespace shmipc::detail
