#include "panels/panel_widgets.hpp"

namespace shmscope {

void draw_lamp(UiColour colour, bool lit) {
  const float h = ImGui::GetTextLineHeight();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 c(p.x + h * 0.5f, p.y + h * 0.5f);
  if (lit) {
    dl->AddCircleFilled(c, h * 0.62f, colour_with_alpha(colour, 0.25f));
    dl->AddCircleFilled(c, h * 0.45f, colour_u32(colour));
  } else {
    dl->AddCircleFilled(c, h * 0.45f, colour_u32(UiColour::Clear));
    dl->AddCircle(c, h * 0.45f, colour_u32(UiColour::Muted));
  }
  ImGui::Dummy(ImVec2(h * 1.3f, h));
}

void draw_legend_item(UiColour colour, const char* words) {
  const float h = ImGui::GetTextLineHeight();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::GetWindowDrawList()->AddRectFilled(
      ImVec2(p.x, p.y + 2), ImVec2(p.x + h * 1.6f, p.y + h - 2), colour_u32(colour), 2);
  ImGui::Dummy(ImVec2(h * 1.6f, h));
  ImGui::SameLine();
  ImGui::TextUnformatted(words);
}

bool begin_key_values(const char* id, float key_width) {
  if (!ImGui::BeginTable(id, 2, ImGuiTableFlags_RowBg)) return false;
  ImGui::TableSetupColumn("key", ImGuiTableColumnFlags_WidthFixed, key_width);
  ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
  return true;
}

void key_value(const char* key, const char* value, UiColour colour) {
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::TextColored(colour_vec4(UiColour::Muted), "%s", key);
  ImGui::TableNextColumn();
  text_wrapped_in(colour_vec4(colour), value);
}

void end_key_values() {
  ImGui::EndTable();
}

void same_line_if_fits(float width) {
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetItemRectMax().x + spacing + width <= right) ImGui::SameLine();
}

float button_width(const char* label) {
  return ImGui::CalcTextSize(label, nullptr, true).x + 2 * ImGui::GetStyle().FramePadding.x;
}

void text_wrapped_in(const ImVec4& colour, const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Text, colour);
  ImGui::TextWrapped("%s", text);
  ImGui::PopStyleColor();
}

}  // namespace shmscope
