// View model of the Step panel: who is parked at which action (in words), how the driver
// paces the run, which step the time-travel cursor shows and what that step changed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/classroom_model.hpp"
#include "ui/classroom_ui.hpp"

namespace shmscope {

struct PendingLine {
  int slot = -1;
  shmipc::Role role = shmipc::Role::None;
  std::string who;    // "child (pid 4242)"
  std::string words;  // "The child is about to lock the mutex ..."
  bool alive = true;
};

struct StepView {
  bool scenario = false;   // pacing a scenario run (else live step mode)
  bool step_mode = false;  // live: step mode is on
  std::string mode_words;  // "step mode off", "scenario hello: paused after step 3"
  std::vector<PendingLine> pending;
  std::string pacing_words;    // "paused", "running", "slow motion: 1 action / 800 ms"
  bool can_step = false;       // something to grant (or a scenario waiting)
  bool can_step_peer = false;  // live step mode only: the runner picks in a scenario
  bool quiz_blocks = false;    // the quiz wants an answer before the next step
  int queued_steps = 0;        // presses waiting for the next peer to park
  std::size_t step_count = 0;
  std::int64_t shown = -1;           // 0-based step the cursor shows, -1 none
  bool past = false;                 // the cursor is not on the newest step
  std::string shown_title;           // "step 3 of 12 - child: The child locked the mutex ..."
  std::vector<std::string> changed;  // fields the shown step changed
  std::string error;
};

StepView make_step_view(const ClassroomModel& model, const ClassroomUi& cui);

}  // namespace shmscope
