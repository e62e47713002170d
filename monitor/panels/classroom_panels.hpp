// The classroom panels (issue 4): Step (step mode, pacing, time travel) and Lesson (scenario
// picker, narration, verdict, quiz, exports), the keyboard shortcuts a teacher drives them
// with, and the classroom layout that puts them beside the block, mutex, events and diagram.
// Like every panel, functions of the model and UI state that append ActionRequests.
#pragma once

#include "model/classroom_model.hpp"
#include "panels/panels.hpp"
#include "ui/classroom_ui.hpp"

namespace shmscope {

struct ClassroomInput {
  const ClassroomModel& model;
  const PanelInput& panels;  // the history shown: live, or the step the cursor is on
};

void draw_step_panel(const ClassroomInput& in, ClassroomUi& cui, UiState& ui, PanelOutput& out);
void draw_lesson_panel(const ClassroomInput& in, ClassroomUi& cui, UiState& ui, PanelOutput& out);

// Space / Right: step (or forward while looking at the past); Left / Backspace: back;
// R: run; P: pause; E: run to next event; 1-4: quiz answer; F5: presentation mode.
// Ignored while a text field has the keyboard. Call once per frame.
void handle_classroom_keys(const ClassroomModel& model, ClassroomUi& cui, PanelOutput& out);

// The shortcut list, as the panels show it.
const char* classroom_shortcuts_text();

// The classroom layout: Lesson and Step on the left, the diagram, block, events, mutex and
// participants on the right (placed on every frame so a projector always shows all of them).
void draw_classroom_panels(const ClassroomInput& in, ClassroomUi& cui, UiState& ui,
                           PanelOutput& out);

}  // namespace shmscope
