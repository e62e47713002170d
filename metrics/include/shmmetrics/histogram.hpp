// A fixed-bucket histogram of durations, kept in integer nanoseconds so that the text it
// renders ("0.0000025") is exact. One set of bounds, 100 ns to 10 s, serves both the mutex hold
// time (usually under a microsecond) and the hand-off latency (microseconds to, for a stopped
// parent, seconds); Grafana's heatmaps need the bounds to stay the same across scrapes.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace shmmetrics {

inline constexpr std::array<std::uint64_t, 25> kBucketBoundsNs = {
    100,         250,         500,                                   // sub-microsecond
    1'000,       2'500,       5'000,         10'000,     25'000,     50'000,
    100'000,     250'000,     500'000,       1'000'000,  2'500'000,  5'000'000,
    10'000'000,  25'000'000,  50'000'000,    100'000'000, 250'000'000, 500'000'000,
    1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000};

class Histogram {
 public:
  // One observation; the sum saturates instead of wrapping (the values come from a journal
  // any process of the user can write).
  void observe_ns(std::uint64_t ns) noexcept;

  // Observations <= kBucketBoundsNs[i], for i < bounds; index bounds() is +Inf (= count()).
  std::uint64_t cumulative(std::size_t i) const noexcept;
  static constexpr std::size_t bounds() noexcept { return kBucketBoundsNs.size(); }
  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t sum_ns() const noexcept { return sum_ns_; }

 private:
  std::array<std::uint64_t, kBucketBoundsNs.size() + 1> buckets_{};  // not cumulative
  std::uint64_t count_ = 0;
  std::uint64_t sum_ns_ = 0;
};

// Whole nanoseconds as decimal seconds, exactly: 2500 -> "0.0000025", 10^9 -> "1".
std::string ns_as_seconds(std::uint64_t ns);

}  // namespace shmmetrics
