// The default layout: every panel a window, tiled over the main viewport with no overlap
// (Dear ImGui 1.86 has no docking). Positions apply on first use only, so a layout the user
// arranged is kept in imgui.ini.
#include <imgui.h>

#include "panels/panels.hpp"
#include "panels/tile_layout.hpp"

namespace shmscope {

namespace {

// Fractions of the viewport, designed at 1600 x 1000.
constexpr float kLeft = 940.0f / 1600.0f;
constexpr Tile kBlock{0, 0, kLeft, 0.50f};
constexpr Tile kSequence{0, 0.50f, kLeft, 0.30f};
constexpr Tile kMetrics{0, 0.80f, kLeft, 0.20f};
constexpr Tile kAct{kLeft, 0, 1 - kLeft, 0.30f};
constexpr Tile kParticipants{kLeft, 0.30f, 1 - kLeft, 0.14f};
constexpr Tile kEvents{kLeft, 0.44f, 1 - kLeft, 0.20f};
constexpr Tile kMutex{kLeft, 0.64f, 1 - kLeft, 0.36f};

void place(const Tile& t) {
  place_tile(t, ImGuiCond_FirstUseEver);
}

}  // namespace

void draw_all_panels(const PanelInput& in, UiState& ui, PanelOutput& out) {
  place(kBlock);
  draw_block_panel(in, ui, out);
  place(kSequence);
  draw_sequence_panel(in, ui, out);
  place(kMetrics);
  draw_metrics_panel(in, ui, out);
  place(kAct);
  draw_act_panel(in, ui, out);
  place(kParticipants);
  draw_participants_panel(in, ui, out);
  place(kEvents);
  draw_events_panel(in, ui, out);
  place(kMutex);
  draw_mutex_panel(in, ui, out);
}

}  // namespace shmscope
