// Time in the block is CLOCK_MONOTONIC nanoseconds: immune to wall-clock jumps, comparable
// across processes on one machine. Wall-clock time is kept only for display.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace shmipc {

std::uint64_t monotonic_ns() noexcept;
std::uint64_t realtime_ns() noexcept;

// An absolute monotonic deadline; std::nullopt waits forever. steady_clock is
// CLOCK_MONOTONIC on Linux, which is what futex and pthread_mutex_clocklock are given.
using Deadline = std::optional<std::chrono::steady_clock::time_point>;

inline Deadline deadline_after(std::chrono::nanoseconds d) {
  return std::chrono::steady_clock::now() + d;
}
inline constexpr Deadline kForever = std::nullopt;

}  // namespace shmipc
