// The Events panel: five lamps (signalled / clear) and the childAck lamp.
#include <imgui.h>

#include "panels/events_view.hpp"
#include "panels/panel_widgets.hpp"
#include "panels/panels.hpp"

namespace shmscope {

void draw_events_panel(const PanelInput& in, UiState& ui, PanelOutput& /*out*/) {
  if (!ImGui::Begin("Events")) {
    ImGui::End();
    return;
  }
  const EventsView v = make_events_view(in);
  if (!v.known) {
    ImGui::TextColored(colour_vec4(UiColour::Muted), "%s", v.status.c_str());
    ImGui::End();
    return;
  }
  const ImGuiTableFlags flags =
      ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp;
  // A narrow panel (the classroom layout) keeps name, state and waiters; the rest is in the
  // tooltip.
  // Five columns need about 64 letters of width before "last set by" is cut off.
  const bool compact = ImGui::GetContentRegionAvail().x < 64 * ImGui::CalcTextSize("M").x;
  // Compact: each column as wide as its words, so no name or state is cut off at a large font.
  if (ImGui::BeginTable("events", compact ? 3 : 5,
                        compact ? (flags & ~ImGuiTableFlags_SizingStretchProp) | ImGuiTableFlags_SizingFixedFit
                                : flags)) {
    // Stretch weights when wide; fitted to the words (weight ignored) when compact.
    const ImGuiTableColumnFlags fit =
        compact ? ImGuiTableColumnFlags_WidthFixed : ImGuiTableColumnFlags_WidthStretch;
    ImGui::TableSetupColumn("event", fit, compact ? 0.0f : 3.2f);
    ImGui::TableSetupColumn("state", fit, compact ? 0.0f : 1.3f);
    if (!compact)
      ImGui::TableSetupColumn("set / consumed", ImGuiTableColumnFlags_WidthStretch, 2.6f);
    ImGui::TableSetupColumn("waiters", fit, compact ? 0.0f : 1.5f);
    if (!compact) ImGui::TableSetupColumn("last set by", ImGuiTableColumnFlags_WidthStretch, 3.4f);
    ImGui::TableHeadersRow();
    for (std::size_t i = 0; i < v.lamps.size(); ++i) {
      const EventLamp& l = v.lamps[i];
      const int index = static_cast<int>(i);
      ImGui::TableNextRow();
      if (ui.hover_prev.target == Highlight::Target::Event && ui.hover_prev.index == index) {
        ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, colour_with_alpha(UiColour::Hover, 0.3f));
      }
      ImGui::TableNextColumn();
      draw_lamp(UiColour::Signalled, l.signalled);
      ImGui::SameLine();
      ImGui::PushID(index);
      ImGui::Selectable(l.name.c_str(), false, ImGuiSelectableFlags_SpanAllColumns);
      if (ImGui::IsItemHovered()) {
        ui.hover = {Highlight::Target::Event, 0, 0, 0, index};
        ImGui::SetTooltip("%s: %s, %s\nlast set by %s\nlast consumed by %s", l.name.c_str(),
                          l.state.c_str(), l.counts.c_str(), l.last_setter.c_str(),
                          l.last_consumer.c_str());
      }
      ImGui::PopID();
      ImGui::TableNextColumn();
      ImGui::TextColored(colour_vec4(l.signalled ? UiColour::Signalled : UiColour::Muted), "%s",
                         l.state.c_str());
      if (!compact) {
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(l.counts.c_str());
      }
      ImGui::TableNextColumn();
      ImGui::TextColored(
          colour_vec4(l.stale_waiters > 0         ? UiColour::Dead
                      : l.waiters == "no waiters" ? UiColour::Muted
                                                  : UiColour::Waiting),
          "%s",
          l.waiters.c_str());
      if (!compact) {
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(l.last_setter.c_str());
      }
    }
    ImGui::EndTable();
  }
  draw_lamp(UiColour::Signalled, v.child_ack);
  ImGui::SameLine();
  ImGui::TextColored(colour_vec4(v.child_ack ? UiColour::Signalled : UiColour::Muted), "%s",
                     v.child_ack_text.c_str());
  ImGui::End();
}

}  // namespace shmscope
