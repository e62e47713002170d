// The Participants panel: parent, child and others, alive or dead.
#include <imgui.h>

#include "panels/panel_widgets.hpp"
#include "panels/panels.hpp"
#include "panels/participants_view.hpp"

namespace shmscope {

void draw_participants_panel(const PanelInput& in, UiState& ui, PanelOutput& /*out*/) {
  if (!ImGui::Begin("Participants")) {
    ImGui::End();
    return;
  }
  const ParticipantsView v = make_participants_view(in);
  if (!v.status.empty()) ImGui::TextColored(colour_vec4(UiColour::Muted), "%s", v.status.c_str());
  if (!v.warning.empty()) {
    text_wrapped_in(colour_vec4(UiColour::Dead), v.warning.c_str());
  }
  if (!v.rows.empty() && ImGui::BeginTable("participants", 6,
                                           ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                               ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("role", ImGuiTableColumnFlags_WidthFixed, 100);
    ImGui::TableSetupColumn("pid", ImGuiTableColumnFlags_WidthFixed, 60);
    ImGui::TableSetupColumn("state", ImGuiTableColumnFlags_WidthFixed, 70);
    ImGui::TableSetupColumn("joined");
    ImGui::TableSetupColumn("heartbeat");
    ImGui::TableSetupColumn("doing");
    ImGui::TableHeadersRow();
    for (const ParticipantRow& r : v.rows) {
      ImGui::TableNextRow();
      if (ui.hover_prev.target == Highlight::Target::Participant && ui.hover_prev.index == r.slot) {
        ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, colour_with_alpha(UiColour::Hover, 0.3f));
      }
      ImGui::TableNextColumn();
      ImGui::PushID(r.slot);
      ImGui::PushStyleColor(ImGuiCol_Text, colour_vec4(role_colour(r.role)));
      ImGui::Selectable(r.is_me ? (r.role_name + " (me)").c_str() : r.role_name.c_str(), false,
                        ImGuiSelectableFlags_SpanAllColumns);
      ImGui::PopStyleColor();
      if (ImGui::IsItemHovered()) {
        ui.hover = {Highlight::Target::Participant, 0, 0, 0, r.slot};
        ImGui::SetTooltip("slot %d, %s mode", r.slot, r.mode.c_str());
      }
      ImGui::PopID();
      ImGui::TableNextColumn();
      ImGui::Text("%u", r.pid);
      ImGui::TableNextColumn();
      draw_lamp(r.alive ? UiColour::Alive : UiColour::Dead, true);
      ImGui::SameLine();
      ImGui::TextColored(colour_vec4(r.alive ? UiColour::Alive : UiColour::Dead), "%s",
                         r.liveness.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(r.joined.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(r.heartbeat.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(r.activity.c_str());
    }
    ImGui::EndTable();
  }
  ImGui::End();
}

}  // namespace shmscope
