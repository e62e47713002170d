// The live layout: every panel a window, tiled over the main viewport with no overlap (Dear
// ImGui 1.86 has no docking). The tiles are fractions of the work area, placed again whenever
// the window's size changes, after the classroom and on "Reset layout", so no saved or stale
// position can leave panels on top of each other. Once the user moves or resizes a panel, their
// arrangement wins until Reset layout (ui/live_layout_state.hpp).
#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>

#include "panels/panels.hpp"
#include "panels/tile_layout.hpp"

namespace shmscope {

namespace {

// Fractions of the viewport, designed at 1600 x 1000.
constexpr float kLeft = 940.0f / 1600.0f;
struct NamedTile {
  const char* window;
  Tile tile;
};
constexpr NamedTile kTiles[] = {
    {"Block", {0, 0, kLeft, 0.46f}},
    // One message is about a dozen rows: the diagram gets room for it.
    {"Sequence diagram", {0, 0.46f, kLeft, 0.36f}},
    {"Metrics", {0, 0.82f, kLeft, 0.18f}},
    {"Act", {kLeft, 0, 1 - kLeft, 0.30f}},
    {"Participants", {kLeft, 0.30f, 1 - kLeft, 0.14f}},
    {"Events", {kLeft, 0.44f, 1 - kLeft, 0.20f}},
    {"Mutex", {kLeft, 0.64f, 1 - kLeft, 0.36f}},
};

PanelRect tile_rect(const Tile& t, const ImGuiViewport* vp) {
  // Whole pixels, so that neighbours share an edge instead of overlapping by a fraction.
  const float x0 = std::floor(vp->WorkPos.x + t.x * vp->WorkSize.x);
  const float y0 = std::floor(vp->WorkPos.y + t.y * vp->WorkSize.y);
  const float x1 = std::floor(vp->WorkPos.x + (t.x + t.w) * vp->WorkSize.x);
  const float y1 = std::floor(vp->WorkPos.y + (t.y + t.h) * vp->WorkSize.y);
  return {x0, y0, x1 - x0, y1 - y0};
}

// A rectangle of the user's, pulled back inside the work area (and shrunk to fit it).
PanelRect inside(PanelRect r, const ImGuiViewport* vp) {
  r.w = std::min(r.w, vp->WorkSize.x);
  r.h = std::min(r.h, vp->WorkSize.y);
  r.x = std::clamp(r.x, vp->WorkPos.x, vp->WorkPos.x + vp->WorkSize.x - r.w);
  r.y = std::clamp(r.y, vp->WorkPos.y, vp->WorkPos.y + vp->WorkSize.y - r.h);
  return r;
}

bool same(const PanelRect& a, const PanelRect& b) {
  return std::abs(a.x - b.x) < 1.5f && std::abs(a.y - b.y) < 1.5f && std::abs(a.w - b.w) < 1.5f &&
         std::abs(a.h - b.h) < 1.5f;
}

void set_next(const PanelRect& r) {
  ImGui::SetNextWindowPos(ImVec2(r.x, r.y), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(r.w, r.h), ImGuiCond_Always);
}

class LivePlacer {
 public:
  explicit LivePlacer(LiveLayoutState& s) : s_(s), vp_(ImGui::GetMainViewport()) {
    const bool resized = vp_->WorkPos.x != s.work_x || vp_->WorkPos.y != s.work_y ||
                         vp_->WorkSize.x != s.work_w || vp_->WorkSize.y != s.work_h;
    place_all_ = s.relayout || resized;
    s.relayout = false;
    s.work_x = vp_->WorkPos.x;
    s.work_y = vp_->WorkPos.y;
    s.work_w = vp_->WorkSize.x;
    s.work_h = vp_->WorkSize.y;
  }

  // Before the panel's Begin.
  void place(const char* window, const Tile& tile) {
    if (!place_all_) return;
    PanelRect r = tile_rect(tile, vp_);
    if (s_.user_arranged) {
      if (auto it = s_.user.find(window); it != s_.user.end()) r = inside(it->second, vp_);
    }
    s_.placed[window] = r;
    set_next(r);
  }

  // After every panel was drawn: a panel that is not where it was put was moved or resized by
  // the user (only a mouse does that), and from then on the arrangement is theirs.
  void finish() {
    for (const auto& [window, tile] : kTiles) {
      const ImGuiWindow* w = ImGui::FindWindowByName(window);
      if (w == nullptr) continue;
      // SizeFull: a collapsed panel keeps the size it will open to.
      const PanelRect now{w->Pos.x, w->Pos.y, w->SizeFull.x, w->SizeFull.y};
      const auto it = s_.placed.find(window);
      if (!s_.user_arranged && it != s_.placed.end() && !same(now, it->second) &&
          ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
        s_.user_arranged = true;
      }
      if (s_.user_arranged) s_.user[window] = now;
    }
  }

 private:
  LiveLayoutState& s_;
  const ImGuiViewport* vp_;
  bool place_all_ = false;
};

using DrawPanel = void (*)(const PanelInput&, UiState&, PanelOutput&);
constexpr DrawPanel kDraw[] = {draw_block_panel, draw_sequence_panel, draw_metrics_panel,
                               draw_act_panel,   draw_participants_panel, draw_events_panel,
                               draw_mutex_panel};
static_assert(std::size(kDraw) == std::size(kTiles));

}  // namespace

void draw_all_panels(const PanelInput& in, UiState& ui, PanelOutput& out) {
  ui.block_fields_only = false;  // the hex view too: only presentation leaves it out
  LivePlacer placer(ui.live_layout);
  for (std::size_t i = 0; i < std::size(kTiles); ++i) {
    placer.place(kTiles[i].window, kTiles[i].tile);
    kDraw[i](in, ui, out);
  }
  placer.finish();
}

}  // namespace shmscope
