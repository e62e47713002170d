// The views of a user's segment tiled over the window. Positions come from the window's size
// every frame (not from imgui.ini), so a resize, a small window or an old saved layout can
// never leave one panel over another.
#include <imgui.h>

#include <sstream>

#include "inspect/inspect_views.hpp"
#include "panels/tile_layout.hpp"

namespace shmscope::inspect {
namespace {

constexpr ImGuiWindowFlags kTiled = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                    ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings;

template <typename Draw>
void panel(const char* title, const Tile& tile, Draw&& draw) {
  place_tile(tile, ImGuiCond_Always);
  if (ImGui::Begin(title, nullptr, kTiled)) draw();
  ImGui::End();
}

}  // namespace

void draw_inspect_panels(const InspectModel& model, InspectUi& ui, InspectActions& out) {
  panel("Segment", {0.0f, 0.0f, 0.56f, 0.2f}, [&] { draw_segment_status(model, ui, out); });
  panel("Fields", {0.0f, 0.2f, 0.56f, 0.8f}, [&] { draw_field_tree(model, ui, out); });
  panel("Bytes", {0.56f, 0.0f, 0.44f, 0.38f}, [&] { draw_hex_view(model, ui, out); });
  panel("Field", {0.56f, 0.38f, 0.44f, 0.32f}, [&] { draw_field_inspector(model, ui, out); });
  panel("Watch", {0.56f, 0.7f, 0.22f, 0.3f}, [&] { draw_watch_panel(model, ui, out); });
  panel("Layout facts", {0.78f, 0.7f, 0.22f, 0.3f}, [&] { draw_layout_facts(model, ui, out); });
}

std::string inspect_dump(const InspectModel& model, const InspectUi& ui) {
  std::ostringstream d;
  const auto& s = model.latest_sample();
  d << "present " << (s.present ? 1 : 0) << '\n';
  d << "samples " << model.samples() << '\n';
  d << "paused " << (model.paused() ? 1 : 0) << '\n';
  d << "paused_by_watch " << (model.paused_by_watch() ? 1 : 0) << '\n';
  d << "watch " << (model.watch() ? model.watch()->text() : "") << '\n';
  d << "watch_error " << ui.watch_error << '\n';
  d << "marks " << model.marks().size() << '\n';
  if (!model.marks().empty()) d << "last_mark " << model.marks().back().message << '\n';
  d << "selected " << ui.selected_path << '\n';
  d << "highlight " << ui.highlight << '\n';
  for (const auto& v : model.shown_values()) {
    if (v.is_container) continue;
    d << "value " << v.path << ' ' << (v.available ? v.text : "(not read)") << '\n';
  }
  for (const auto& v : model.shown_values()) {
    if (!v.is_container && model.changes_seen(v.path) > 0) {
      d << "changes " << v.path << ' ' << model.changes_seen(v.path) << '\n';
    }
  }
  return d.str();
}

}  // namespace shmscope::inspect
