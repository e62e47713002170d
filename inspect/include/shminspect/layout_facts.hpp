// pahole-style facts about a layout: holes between members, trailing padding, members that
// straddle a 64-byte cache line, and (from live samples) fields in one cache line that change
// independently of each other: a false-sharing warning.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "shminspect/decode.hpp"
#include "shminspect/layout.hpp"

namespace shminspect {

constexpr std::uint64_t kCacheLine = 64;

enum class FactKind { Hole, TrailingPadding, StraddlesCacheLine, FalseSharing };

struct LayoutFact {
  FactKind kind;
  std::uint64_t offset = 0;  // absolute byte range the fact is about
  std::uint64_t size = 0;
  std::string where;   // the enclosing struct's path ("" = the root)
  std::vector<std::string> fields;  // the fields involved (before/after the hole, the pair)
  std::string text;    // one line for the user: "hole of 4 bytes after 'a' (offset 4)"
};

std::vector<LayoutFact> layout_facts(const Layout& layout);

// Per cache line, which leaf fields changed in each successive pair of samples. Two fields of
// one line that each changed in at least `min_samples` samples where the other did not look
// like two writers: reported as FalseSharing.
class FalseSharingFinder {
 public:
  explicit FalseSharingFinder(int min_samples = 3) : min_samples_(min_samples) {}
  void add(const std::vector<DecodedValue>& previous, const std::vector<DecodedValue>& current);
  std::vector<LayoutFact> findings() const;
  int samples() const { return samples_; }

 private:
  int min_samples_;
  int samples_ = 0;
  // (a, b) with a < b -> {a changed alone, b changed alone, both changed}
  struct PairCounts { int a_alone = 0, b_alone = 0, both = 0; std::uint64_t line = 0; };
  std::map<std::pair<std::string, std::string>, PairCounts> pairs_;
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> ranges_;
};

}  // namespace shminspect
