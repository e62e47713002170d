#include "shmipc/clock.hpp"

#include <time.h>

namespace shmipc {

namespace {
std::uint64_t read_clock(clockid_t id) noexcept {
  timespec ts{};
  // clock_gettime cannot fail for these two clocks on Linux.
  ::clock_gettime(id, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ULL +
         static_cast<std::uint64_t>(ts.tv_nsec);
}
}  // namespace

std::uint64_t monotonic_ns() noexcept {
  return read_clock(CLOCK_MONOTONIC);
}
std::uint64_t realtime_ns() noexcept {
  return read_clock(CLOCK_REALTIME);
}

}  // namespace shmipc
