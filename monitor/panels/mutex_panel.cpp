// The Mutex panel: who holds the lock now, and lock lanes over time (as profilers draw lock
// contention): holding, holding while another waits, and waiting, each in its own colour.
#include <imgui.h>

#include <cstdio>

#include "panels/mutex_view.hpp"
#include "panels/panel_widgets.hpp"
#include "panels/panels.hpp"

namespace shmscope {

namespace {

void draw_lanes(const MutexView& v, UiState& ui) {
  // Wraps at a large font instead of running past the panel's edge.
  const auto legend_width = [](const char* words) {
    return ImGui::GetTextLineHeight() * 1.6f + ImGui::GetStyle().ItemSpacing.x +
           ImGui::CalcTextSize(words).x;
  };
  const char* held = colour_info(UiColour::Held).name.data();
  const char* contended = colour_info(UiColour::Contended).name.data();
  draw_legend_item(UiColour::Held, held);
  same_line_if_fits(legend_width(contended));
  draw_legend_item(UiColour::Contended, contended);
  same_line_if_fits(legend_width("waiting for it"));
  draw_legend_item(UiColour::Waiting, "waiting for it");
  ImGui::SetNextItemWidth(140);
  ImGui::SliderFloat("seconds shown", &ui.lock_window_seconds, 1.0f, 60.0f, "%.0f s");

  const float label_w = 170;
  const float lane_h = ImGui::GetTextLineHeight() + 8;
  const float width = ImGui::GetContentRegionAvail().x - label_w;
  if (width < 40 || v.window_end_ns <= v.window_begin_ns) return;
  const double span_ns = static_cast<double>(v.window_end_ns - v.window_begin_ns);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 mouse = ImGui::GetMousePos();
  if (v.lanes.empty()) {
    char words[64];
    if (v.lock_count == 0) {
      std::snprintf(words, sizeof words, "Nobody has taken the mutex yet.");
    } else {
      std::snprintf(words, sizeof words, "No lock in the last %.0f s.",
                    static_cast<double>(ui.lock_window_seconds));
    }
    ImGui::TextColored(colour_vec4(UiColour::Muted), "%s", words);
  }
  for (const LockLane& lane : v.lanes) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    dl->AddText(ImVec2(p.x, p.y + 4), colour_u32(role_colour(lane.role)), lane.label.c_str());
    const float x0 = p.x + label_w;
    dl->AddRectFilled(ImVec2(x0, p.y), ImVec2(x0 + width, p.y + lane_h - 2),
                      IM_COL32(255, 255, 255, 14), 3);
    for (const LockSpan& s : lane.spans) {
      float a = x0 + static_cast<float>((s.begin_ns - v.window_begin_ns) / span_ns * width);
      float b = x0 + static_cast<float>((s.end_ns - v.window_begin_ns) / span_ns * width);
      if (b - a < 2) b = a + 2;  // a hold of a few microseconds is still visible
      const bool waiting = s.kind == LockSpan::Kind::Waiting;
      const float y0 = p.y + (waiting ? lane_h * 0.30f : 1);
      const float y1 = p.y + lane_h - (waiting ? lane_h * 0.30f : 3);
      dl->AddRectFilled(ImVec2(a, y0), ImVec2(b, y1), colour_u32(lock_span_colour(s.kind)), 2);
      if (mouse.x >= a && mouse.x <= b && mouse.y >= p.y && mouse.y < p.y + lane_h &&
          ImGui::IsWindowHovered()) {
        ImGui::SetTooltip("%s", lock_span_sentence(s, v).c_str());
        ui.hover = {Highlight::Target::Mutex, 0, 0, 0, -1};
      }
    }
    ImGui::Dummy(ImVec2(label_w + width, lane_h));
  }
  // Time axis: now at the right edge.
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float x0 = p.x + label_w;
  char buf[32];
  for (int i = 0; i <= 4; ++i) {
    const float x = x0 + width * static_cast<float>(i) / 4.0f;
    const double secs_ago = span_ns / 1e9 * (4 - i) / 4.0;
    if (i == 4) {
      std::snprintf(buf, sizeof buf, "now");
    } else {
      std::snprintf(buf, sizeof buf, "-%.1f s", secs_ago);
    }
    const float tw = ImGui::CalcTextSize(buf).x;
    dl->AddLine(ImVec2(x, p.y), ImVec2(x, p.y + 4), colour_u32(UiColour::Muted));
    dl->AddText(ImVec2(i == 4 ? x - tw : x - tw * 0.5f, p.y + 4), colour_u32(UiColour::Muted), buf);
  }
  ImGui::Dummy(ImVec2(label_w + width, ImGui::GetTextLineHeight() + 6));
}

}  // namespace

void draw_mutex_panel(const PanelInput& in, UiState& ui, PanelOutput& /*out*/) {
  if (!ImGui::Begin("Mutex")) {
    ImGui::End();
    return;
  }
  const MutexView v = make_mutex_view(in, ui);
  const bool lit = ui.hover_prev.target == Highlight::Target::Mutex;
  draw_lamp(v.colour, v.known);
  ImGui::SameLine();
  ImGui::TextColored(colour_vec4(v.colour), "Mutex %s", v.headline.c_str());
  if (ImGui::IsItemHovered() || lit) {
    if (ImGui::IsItemHovered()) ui.hover = {Highlight::Target::Mutex, 0, 0, 0, -1};
  }
  // The key column as wide as its longest key at the current font (presentation scales it).
  if (v.known && begin_key_values("mutex_kv", ImGui::CalcTextSize("owner died  ").x)) {
    key_value("owner", v.owner.c_str(), v.held ? v.colour : UiColour::Text);
    key_value("held for", v.held_for.c_str());
    key_value("waiters", v.waiters.c_str(),
              v.waiters == "nobody waiting" ? UiColour::Text : UiColour::Waiting);
    key_value("history", v.counts.c_str());
    key_value("owner died", v.recovery.c_str(),
              v.recovery.rfind("never", 0) == 0 ? UiColour::Text : UiColour::Dead);
    end_key_values();
  }
  if (v.known) {
    ImGui::Separator();
    draw_lanes(v, ui);
  }
  ImGui::End();
}

}  // namespace shmscope
