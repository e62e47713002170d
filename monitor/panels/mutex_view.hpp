// View model of the Mutex panel: owner, hold time, waiters, recovery, and one lock lane per
// participant (spans from SessionHistory::lock_spans, computed before drawing).
#pragma once

#include <string>
#include <vector>

#include "panels/panels.hpp"
#include "ui/palette.hpp"

namespace shmscope {

struct LockLane {
  std::string label;  // "child (pid 4242)"
  std::uint32_t pid = 0;
  shmipc::Role role = shmipc::Role::None;
  std::vector<LockSpan> spans;
};

struct MutexView {
  bool known = false;  // a snapshot exists
  bool held = false;
  UiColour colour = UiColour::Muted;
  std::string headline;  // "held by child (pid 4242)", "free", "No session attached"
  std::string owner;     // "child, pid 4242, tid 4243"
  std::string held_for;  // "1.25 s"
  std::string waiters;   // "1 waiting"
  std::string counts;    // "12 locks, 3 contended, total hold 4.1 ms"
  std::uint64_t lock_count = 0;
  // Under the lanes when none is drawn: "Nobody has taken the mutex yet." or, when it was
  // taken before the window shown, "No lock in the last 10 s."
  std::string lanes_empty_words;
  std::string recovery;  // "never" or a sentence about the last owner-died recovery
  std::uint64_t window_begin_ns = 0, window_end_ns = 0;
  std::vector<LockLane> lanes;
};

MutexView make_mutex_view(const PanelInput& in, const UiState& ui);

// "child (pid 4242) held the mutex for 3.2 ms while parent (pid 4241) waited."
std::string lock_span_sentence(const LockSpan& span, const MutexView& view);

UiColour lock_span_colour(LockSpan::Kind kind);

}  // namespace shmscope
