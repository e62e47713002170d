// Shared (not FUTEX_PRIVATE) futexes on words inside the block: waiter and waker are
// usually different processes with different mappings of the same page.
#pragma once

#include <atomic>
#include <cstdint>

#include "shmipc/clock.hpp"

namespace shmipc {

// Sleeps while `word` still holds `expected`, until woken or the absolute CLOCK_MONOTONIC
// deadline. Returns false only when the deadline passed; true on a wake, a changed value,
// EINTR or a spurious return: the caller always re-checks its own condition.
bool futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected, Deadline deadline);

// Wakes up to `count` sleepers on `word`; returns how many were woken.
int futex_wake(std::atomic<std::uint32_t>& word, int count) noexcept;

}  // namespace shmipc
