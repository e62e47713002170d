#include "shmmetrics/histogram.hpp"

#include <algorithm>
#include <limits>

namespace shmmetrics {

void Histogram::observe_ns(std::uint64_t ns) noexcept {
  const auto at = std::lower_bound(kBucketBoundsNs.begin(), kBucketBoundsNs.end(), ns);
  ++buckets_[static_cast<std::size_t>(at - kBucketBoundsNs.begin())];
  ++count_;
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  sum_ns_ = ns > kMax - sum_ns_ ? kMax : sum_ns_ + ns;
}

std::uint64_t Histogram::cumulative(std::size_t i) const noexcept {
  std::uint64_t total = 0;
  for (std::size_t b = 0; b <= i && b < buckets_.size(); ++b) total += buckets_[b];
  return total;
}

std::string ns_as_seconds(std::uint64_t ns) {
  std::string whole = std::to_string(ns / 1'000'000'000);
  std::string frac = std::to_string(ns % 1'000'000'000);
  if (frac == "0") return whole;
  frac.insert(0, 9 - frac.size(), '0');
  while (frac.back() == '0') frac.pop_back();
  return whole + "." + frac;
}

}  // namespace shmmetrics
