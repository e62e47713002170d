// The timeline of a recording in plain words and numbers (what the timeline bar draws), so
// tests can check it without pixels: the instant, the recording's state, its gaps.
#pragma once

#include <string>
#include <vector>

#include "replay/playback.hpp"

namespace shmscope {

struct TimelineView {
  double seconds = 0;   // the instant shown, since the recording started
  double duration = 0;  // seconds the recording covers (so far, for a stream)
  std::string time_text;    // "12.345 s / 60.000 s"
  std::string source_text;  // "run.shmrec: session S recorded on host H"
  std::string state_text;   // "complete (stopped)", "live: 41 chunks so far", "truncated after..."
  bool damaged = false;     // truncated or corrupt: state_text says where
  std::vector<double> gap_marks;  // where each gap was noticed, 0..1 along the timeline
  std::string gaps_text;          // "2 gaps: 1200 records lost to the ring" or ""
  std::string note;               // why acting is off in playback
  std::string problem;            // no block at this instant, and why
};

TimelineView make_timeline_view(const Playback& playback);

// The bar at the bottom of the window: Prev / Play-Pause / Next, the slider with its gap marks,
// speed, Newest (a stream), and the state line. Keys: Space play/pause, Left/Right step (not
// while a text field has the keyboard).
void draw_timeline_bar(Playback& playback);

}  // namespace shmscope
