// Watch conditions typed by the user and evaluated on successive samples:
//   "seq jumps by more than 1"   |current - previous| > 1
//   "seq changes"                 any change
//   "state becomes ERROR"         was not ERROR, now is (enumerator name, number or "text")
//   "x > 5", "x >= 5", "x < 5", "x <= 5", "x == 5", "x != 5"   (true now, false before)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "shminspect/decode.hpp"

namespace shminspect {

class WatchCondition {
 public:
  // Throws InspectError(BadCondition) saying what was expected at which word.
  static WatchCondition parse(const std::string& text);

  const std::string& text() const { return text_; }
  const std::string& field() const { return field_; }

  // A message for the user when the condition fires between `previous` and `current`
  // (e.g. "seq jumped by 3 (7 -> 10)"), nullopt otherwise. An unknown field throws
  // InspectError(NotFound) naming close matches.
  std::optional<std::string> evaluate(const std::vector<DecodedValue>& previous,
                                      const std::vector<DecodedValue>& current) const;

 private:
  enum class Op { JumpsBy, Changes, Becomes, Greater, GreaterEqual, Less, LessEqual, Equal, NotEqual };
  std::string text_;
  std::string field_;
  Op op_ = Op::Changes;
  std::string operand_;          // as typed
  std::optional<double> number_;  // the operand as a number, when it is one
};

// Closest paths to `wanted` among `candidates` (edit distance, substring), at most `limit`.
std::vector<std::string> close_matches(const std::string& wanted,
                                       const std::vector<std::string>& candidates,
                                       std::size_t limit = 5);

}  // namespace shminspect
