// Bounded per-field series: the oldest point goes when a series is full.
#include "shminspect/history.hpp"

#include <algorithm>

namespace shminspect {

void FieldHistory::record(std::uint64_t time_ns, const std::vector<DecodedValue>& values) {
  if (capacity_ == 0) return;
  for (const auto& v : values) {
    if (v.is_container || !v.available || !v.number) continue;
    if (!watched_.empty() && std::find(watched_.begin(), watched_.end(), v.path) == watched_.end()) {
      continue;
    }
    auto& series = series_[v.path];
    if (series.size() >= capacity_) series.pop_front();
    series.push_back({time_ns, *v.number});
  }
}

const std::deque<HistoryPoint>& FieldHistory::points(const std::string& path) const {
  static const std::deque<HistoryPoint> kEmpty;
  const auto it = series_.find(path);
  return it == series_.end() ? kEmpty : it->second;
}

std::vector<std::string> FieldHistory::paths() const {
  std::vector<std::string> out;
  for (const auto& [path, series] : series_) out.push_back(path);
  return out;
}

}  // namespace shminspect
