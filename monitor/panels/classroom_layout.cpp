// The classroom layout: what a class needs to see, big enough to read from the back. The
// Act and Metrics panels stay out of it; the windows are placed every frame, so nothing a
// student needs to look at can be dragged off the projector by accident.
#include <imgui.h>

#include "panels/classroom_panels.hpp"
#include "panels/tile_layout.hpp"

namespace shmscope {

namespace {

enum class Panel { Lesson, Step, Sequence, Block, Events, Mutex, Participants };
struct Placed {
  Panel panel;
  Tile tile;
};

constexpr Placed kClassroom[] = {
    {Panel::Lesson, {0, 0, 0.34f, 0.56f}},          {Panel::Step, {0, 0.56f, 0.34f, 0.44f}},
    {Panel::Sequence, {0.34f, 0, 0.66f, 0.44f}},    {Panel::Block, {0.34f, 0.44f, 0.40f, 0.56f}},
    {Panel::Events, {0.74f, 0.44f, 0.26f, 0.22f}},  {Panel::Mutex, {0.74f, 0.66f, 0.26f, 0.20f}},
    {Panel::Participants, {0.74f, 0.86f, 0.26f, 0.14f}},
};

// Presentation (F5): fewer panels, larger: the diagram across the top, the step's narration,
// the block's fields (no hex view), the mutex and the events. The Lesson panel (picker, goal)
// and Participants stay in the classroom layout.
constexpr Placed kPresentation[] = {
    {Panel::Sequence, {0, 0, 1, 0.50f}},          {Panel::Step, {0, 0.50f, 0.30f, 0.50f}},
    {Panel::Block, {0.30f, 0.50f, 0.35f, 0.50f}}, {Panel::Mutex, {0.65f, 0.50f, 0.35f, 0.22f}},
    {Panel::Events, {0.65f, 0.72f, 0.35f, 0.28f}},
};

void draw_panel(Panel panel, const ClassroomInput& in, ClassroomUi& cui, UiState& ui,
                PanelOutput& out) {
  const PanelInput& p = in.panels;
  switch (panel) {
    case Panel::Lesson: return draw_lesson_panel(in, cui, ui, out);
    case Panel::Step: return draw_step_panel(in, cui, ui, out);
    case Panel::Sequence: return draw_sequence_panel(p, ui, out);
    case Panel::Block: return draw_block_panel(p, ui, out);
    case Panel::Events: return draw_events_panel(p, ui, out);
    case Panel::Mutex: return draw_mutex_panel(p, ui, out);
    case Panel::Participants: return draw_participants_panel(p, ui, out);
  }
}

void place(const Tile& t) {
  place_tile(t, ImGuiCond_Always);
}

}  // namespace

void draw_classroom_panels(const ClassroomInput& in, ClassroomUi& cui, UiState& ui,
                           PanelOutput& out) {
  const PanelInput& p = in.panels;
  // Looking back pins the shown step's last journal entry, so the Block and Sequence panels
  // mark the past the way they do for a clicked row; their "Back to live" returns here too.
  if (cui.pinned_seq >= 0 && ui.pinned_journal_seq != cui.pinned_seq) {
    if (ui.pinned_journal_seq < 0) cui.cursor = -1;  // the user unpinned: back to the newest
    cui.pinned_seq = -1;
  }
  const bool past = cui.in_past(in.model.step_count());
  if (past && !p.history.journal().empty() && (cui.pinned_seq >= 0 || ui.pinned_journal_seq < 0)) {
    cui.pinned_seq = static_cast<std::int64_t>(p.history.journal().back().seq);
    ui.pinned_journal_seq = cui.pinned_seq;
  } else if (!past && cui.pinned_seq >= 0) {
    ui.pinned_journal_seq = -1;
    cui.pinned_seq = -1;
  }
  const std::int64_t shown = cui.shown_step(in.model.step_count());
  if (shown != cui.drawn_step) {
    cui.drawn_step = shown;
    ui.diagram_scroll_to_newest = true;  // the diagram ends at the shown step: show its end
    cui.scroll_to_shown = true;
  }
  ui.block_fields_only = cui.presentation;
  if (cui.presentation) {
    for (const auto& [panel, tile] : kPresentation) {
      place(tile);
      draw_panel(panel, in, cui, ui, out);
    }
  } else {
    for (const auto& [panel, tile] : kClassroom) {
      place(tile);
      draw_panel(panel, in, cui, ui, out);
    }
  }
}

}  // namespace shmscope
