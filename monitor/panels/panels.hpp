// Every panel is a function of (history, acting state, UI state): it reads the model, draws
// with Dear ImGui, and appends ActionRequests. Each panel first computes a plain view model
// (what it will show, in words and numbers) and then draws it, so tests can assert on the view
// model and still render the panel in a windowless ImGui context.
#pragma once

#include <cstdint>
#include <vector>

#include "model/acting_state.hpp"
#include "model/session_history.hpp"
#include "ui/action_request.hpp"
#include "ui/ui_state.hpp"

namespace shmscope {

struct PanelInput {
  const SessionHistory& history;
  const ActingState& acting;
  std::uint64_t now_ns;  // monotonic
  // Where the diagram's times count from: 0 is the block's creation (a live session); playback
  // passes the recording's start, so a row's time is the timeline's time of that instant.
  std::uint64_t time_origin_ns = 0;
};

struct PanelOutput {
  std::vector<ActionRequest> actions;
};

void draw_block_panel(const PanelInput& in, UiState& ui, PanelOutput& out);
void draw_mutex_panel(const PanelInput& in, UiState& ui, PanelOutput& out);
void draw_events_panel(const PanelInput& in, UiState& ui, PanelOutput& out);
void draw_participants_panel(const PanelInput& in, UiState& ui, PanelOutput& out);
void draw_sequence_panel(const PanelInput& in, UiState& ui, PanelOutput& out);
void draw_act_panel(const PanelInput& in, UiState& ui, PanelOutput& out);
void draw_metrics_panel(const PanelInput& in, UiState& ui, PanelOutput& out);

// Lays out all panels as windows in the main viewport (no docking in ImGui 1.86).
void draw_all_panels(const PanelInput& in, UiState& ui, PanelOutput& out);

}  // namespace shmscope
