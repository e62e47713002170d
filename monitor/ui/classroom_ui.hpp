// What the classroom views remember between frames: the time-travel cursor, the quiz, the
// presentation mode and the export paths. Kept apart from UiState (the other panels' state)
// so the classroom can be added to the monitor without touching them.
#pragma once

#include <cstdint>
#include <string>

#include "model/classroom_model.hpp"

namespace shmscope {

struct QuizState {
  bool enabled = false;
  int asked = 0;
  int right = 0;
  QuizQuestion question;          // for the next step; empty when nothing is parked
  int chosen = -1;                // the user's answer to `question`, -1 none yet
  std::size_t answered_step = 0;  // step the last answer was scored against
  bool last_right = false;
  std::string last_feedback;  // "Right: ..." / "Not quite: ..."
};

struct ClassroomUi {
  bool layout = false;                // the classroom layout (step + lesson panels, fewer others)
  bool presentation = false;          // projector: larger scale, high contrast
  // Time travel: the step shown (0-based), or -1 to follow the newest step.
  std::int64_t cursor = -1;
  std::uint64_t cursor_generation = 0;  // ClassroomModel::steps_generation the cursor is for
  std::int64_t drawn_step = -2;         // the step the panels showed last frame
  bool scroll_to_shown = false;         // the Lesson panel's step list scrolls to the shown step
  std::int64_t pinned_seq = -1;  // the journal entry the classroom pinned in UiState, -1 none
  int chosen_scenario = 0;       // index into ClassroomModel::scenarios
  std::string picker_follows;    // the run the picker last jumped to
  int chosen_peer_slot = -1;     // Step peer: the slot the user picked
  int slow_motion_ms = 800;
  // Space pressed while the peers were between gates (nobody parked yet): granted as soon as
  // one parks, so no press is lost. Bounded: a held key does not run the lesson away.
  int queued_steps = 0;
  static constexpr int kMaxQueuedSteps = 3;
  QuizState quiz;
  std::string trace_path = "shmscope-trace.json";
  std::string diagram_path = "shmscope-diagram.png";

  // The step shown: the cursor, clamped, or the newest. -1 when there are no steps.
  std::int64_t shown_step(std::size_t count) const {
    if (count == 0) return -1;
    if (cursor < 0 || static_cast<std::size_t>(cursor) >= count)
      return static_cast<std::int64_t>(count) - 1;
    return cursor;
  }
  bool in_past(std::size_t count) const {
    return cursor >= 0 && static_cast<std::size_t>(cursor) + 1 < count;
  }
};

}  // namespace shmscope
