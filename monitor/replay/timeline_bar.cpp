// The timeline bar: a side bar at the bottom of the main viewport (like the menu bar at the
// top), so the panels' tiled work area ends above it and nothing overlaps it.
#include <imgui.h>
#include <imgui_internal.h>

#include <cmath>

#include "panels/panel_widgets.hpp"
#include "replay/timeline_view.hpp"
#include "ui/palette.hpp"
#include "ui/widget_registry.hpp"

namespace shmscope {

void draw_timeline_bar(Playback& p) {
  const TimelineView v = make_timeline_view(p);
  const ImGuiStyle& style = ImGui::GetStyle();
  const float height = ImGui::GetFrameHeightWithSpacing() * 2 + style.WindowPadding.y * 2;
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoSavedSettings;
  if (!ImGui::BeginViewportSideBar("##timeline", ImGui::GetMainViewport(), ImGuiDir_Down, height,
                                   flags)) {
    ImGui::End();
    return;
  }
  // Keys, unless a text field is being typed into.
  const ImGuiIO& io = ImGui::GetIO();
  if (!io.WantTextInput) {
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Space), false)) p.toggle_playing();
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow), true)) p.step(-1);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow), true)) p.step(+1);
  }

  if (ImGui::Button("<")) p.step(-1);
  record_widget("timeline_prev");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Previous journal record (Left)");
  ImGui::SameLine();
  if (ImGui::Button(p.playing() ? "Pause" : "Play ", ImVec2(ImGui::CalcTextSize("Pause").x + style.FramePadding.x * 2, 0))) {
    p.toggle_playing();
  }
  record_widget("timeline_play");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Play / pause (Space)");
  ImGui::SameLine();
  if (ImGui::Button(">")) p.step(+1);
  record_widget("timeline_next");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Next journal record (Right)");
  ImGui::SameLine();
  ImGui::TextUnformatted(v.time_text.c_str());
  ImGui::SameLine();

  // Speed and Newest at the right; the slider takes what is left.
  const float speed_w = 130.0f;
  const float newest_w = p.stream() ? button_width("Newest") + style.ItemSpacing.x : 0.0f;
  const float slider_w =
      ImGui::GetContentRegionAvail().x - speed_w - newest_w - style.ItemSpacing.x;
  float seconds = static_cast<float>(v.seconds);
  ImGui::SetNextItemWidth(slider_w > 100 ? slider_w : 100);
  if (ImGui::SliderFloat("##time", &seconds, 0.0f, static_cast<float>(v.duration), "")) {
    p.seek_seconds(seconds);
  }
  record_widget("timeline_slider");
  // Gaps: a red tick each across the slider, where the loss was noticed; never hidden.
  {
    const ImVec2 a = ImGui::GetItemRectMin();
    const ImVec2 b = ImGui::GetItemRectMax();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 red = colour_u32(UiColour::Dead);
    for (double at : v.gap_marks) {
      const float x = std::floor(a.x + 4 + static_cast<float>(at) * (b.x - a.x - 8));
      dl->AddRectFilled(ImVec2(x - 1, a.y), ImVec2(x + 2, b.y), red);
    }
  }
  ImGui::SameLine();
  float speed = static_cast<float>(p.speed());
  ImGui::SetNextItemWidth(speed_w);
  if (ImGui::SliderFloat("##speed", &speed, static_cast<float>(Playback::kMinSpeed),
                         static_cast<float>(Playback::kMaxSpeed), "speed x%.1f",
                         ImGuiSliderFlags_Logarithmic)) {
    p.set_speed(speed);
  }
  record_widget("timeline_speed");
  if (p.stream()) {
    ImGui::SameLine();
    ImGui::BeginDisabled(p.following());
    if (ImGui::Button("Newest")) p.follow();
    ImGui::EndDisabled();
    record_widget("timeline_newest");
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
      ImGui::SetTooltip(p.following() ? "Following the newest instant of the stream"
                                      : "Follow the newest instant again");
    }
  }

  // Second line: the source, the state (a damaged file says where), the gaps, the note.
  ImGui::TextColored(colour_vec4(UiColour::Muted), "%s", v.source_text.c_str());
  ImGui::SameLine();
  ImGui::TextColored(colour_vec4(v.damaged ? UiColour::Corrupt : UiColour::Good), "%s",
                     v.state_text.c_str());
  record_widget("timeline_state");
  if (!v.gaps_text.empty()) {
    ImGui::SameLine();
    ImGui::TextColored(colour_vec4(UiColour::Dead), "%s", v.gaps_text.c_str());
  }
  if (!v.problem.empty()) {
    ImGui::SameLine();
    ImGui::TextColored(colour_vec4(UiColour::Corrupt), "%s", v.problem.c_str());
  }
  ImGui::End();
}

}  // namespace shmscope
