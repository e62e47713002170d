// A bounded history per field while the view is open (sampled up to ~1 kHz by the caller):
// each field keeps its last `capacity` numeric points; memory is capacity * fields * 16 bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "shminspect/decode.hpp"

namespace shminspect {

struct HistoryPoint {
  std::uint64_t time_ns = 0;
  double value = 0;
};

class FieldHistory {
 public:
  explicit FieldHistory(std::size_t capacity = 4096) : capacity_(capacity) {}
  // Records every available numeric value (or only `watched` paths when not empty).
  void record(std::uint64_t time_ns, const std::vector<DecodedValue>& values);
  void set_watched(std::vector<std::string> paths) { watched_ = std::move(paths); }
  const std::deque<HistoryPoint>& points(const std::string& path) const;
  std::vector<std::string> paths() const;
  std::size_t capacity() const { return capacity_; }
  void clear() { series_.clear(); }

 private:
  std::size_t capacity_;
  std::vector<std::string> watched_;
  std::map<std::string, std::deque<HistoryPoint>> series_;
};

}  // namespace shminspect
