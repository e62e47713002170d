// The Sequence diagram: parent and child lifelines, an arrow for each event set, a bar where
// a lifeline holds the mutex, message previews; click a row to see the block right after it.
#include <cfloat>

#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cstdio>

#include "model/classroom_model.hpp"
#include "panels/panels.hpp"
#include "panels/sequence_view.hpp"
#include "ui/palette.hpp"
#include "ui/widget_registry.hpp"

namespace shmscope {

namespace {

void draw_arrow(ImDrawList* dl, float x0, float x1, float y, ImU32 col, float thickness) {
  dl->AddLine(ImVec2(x0, y), ImVec2(x1, y), col, thickness);
  const float dir = x1 > x0 ? 1.0f : -1.0f;
  dl->AddTriangleFilled(ImVec2(x1, y), ImVec2(x1 - dir * 9, y - 5), ImVec2(x1 - dir * 9, y + 5),
                        col);
}

bool row_is_lit(const SequenceRow& r, const Highlight& h) {
  switch (h.target) {
    case Highlight::Target::JournalEntry:
      return h.journal_seq == r.seq;
    case Highlight::Target::Event:
      return r.event >= 0 && r.event == h.index;
    case Highlight::Target::Mutex:
      return r.lock_row;
    default:
      return false;
  }
}

}  // namespace

void draw_sequence_panel(const PanelInput& in, UiState& ui, PanelOutput& out) {
  if (!ImGui::Begin("Sequence diagram")) {
    ImGui::End();
    return;
  }
  const bool toggle_pause = ImGui::Button(ui.paused ? "Resume" : "Pause");
  record_widget("sequence_pause");
  if (toggle_pause) {
    ui.paused = !ui.paused;
    ui.paused_journal_next = in.history.journal_next();
    ActionRequest a;
    a.kind = ActionRequest::Kind::SetPaused;
    a.flag = ui.paused;
    out.actions.push_back(a);
  }
  ImGui::SameLine();
  float zoom = static_cast<float>(ui.diagram_zoom);
  ImGui::SetNextItemWidth(120);
  if (ImGui::SliderFloat("row height", &zoom, 1.0f, 3.0f, "x%.1f")) ui.diagram_zoom = zoom;
  ImGui::SameLine();
  ImGui::Checkbox("lock steps", &ui.diagram_show_locks);
  if (ui.pinned_journal_seq >= 0) {
    ImGui::SameLine();
    ImGui::TextColored(colour_vec4(UiColour::Past), "pinned #%lld",
                       static_cast<long long>(ui.pinned_journal_seq));
    ImGui::SameLine();
    if (ImGui::SmallButton("Back to live")) ui.pinned_journal_seq = -1;
  }

  const SequenceView v = make_sequence_view(in, ui);
  if (!v.time_caption.empty()) {
    ImGui::SameLine();
    ImGui::TextColored(colour_vec4(UiColour::Muted), "%s", v.time_caption.c_str());
  }
  if (!v.status.empty()) ImGui::TextColored(colour_vec4(UiColour::Muted), "%s", v.status.c_str());
  if (v.lanes.empty()) {
    ImGui::End();
    return;
  }

  const float time_w = ImGui::CalcTextSize("0000.000000 s ").x;
  // Wide enough for the widest lifeline label at the current font size (presentation mode
  // scales the font, and fixed lanes made the labels overlap).
  float widest_label = 0;
  for (const Lifeline& l : v.lanes) {
    widest_label = std::max(widest_label, ImGui::CalcTextSize(l.label.c_str()).x);
  }
  // ...but the lanes never take more than 45% of the width: the "what happened" column is the
  // point of the diagram. A label that still does not fit is clipped to its own box.
  const float lanes_budget = 0.40f * ImGui::GetContentRegionAvail().x /
                             static_cast<float>(std::max<std::size_t>(v.lanes.size(), 1));
  const float lane_w = std::max(ImGui::GetFontSize() * 4.0f,
                                std::min(widest_label / 0.9f + 12.0f, lanes_budget));
  const float lanes_w = lane_w * static_cast<float>(v.lanes.size());
  auto lane_x = [&](float x0, int lane) {
    return x0 + time_w + lane_w * (static_cast<float>(lane) + 0.5f);
  };
  {
    // Lifeline heads, outside the scrolling area so they stay visible.
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    for (std::size_t i = 0; i < v.lanes.size(); ++i) {
      const Lifeline& l = v.lanes[i];
      const float cx = lane_x(p.x, static_cast<int>(i));
      const ImVec2 ts = ImGui::CalcTextSize(l.label.c_str());
      dl->AddRectFilled(ImVec2(cx - lane_w * 0.45f, p.y),
                        ImVec2(cx + lane_w * 0.45f, p.y + ts.y + 6),
                        colour_with_alpha(role_colour(l.role), 0.25f), 4);
      dl->AddRect(ImVec2(cx - lane_w * 0.45f, p.y), ImVec2(cx + lane_w * 0.45f, p.y + ts.y + 6),
                  colour_u32(role_colour(l.role)), 4);
      const ImVec2 box_min(cx - lane_w * 0.45f, p.y);
      const ImVec2 box_max(cx + lane_w * 0.45f, p.y + ts.y + 6);
      dl->PushClipRect(box_min, box_max, true);
      dl->AddText(ImVec2(std::max(box_min.x + 4, cx - ts.x * 0.5f), p.y + 3),
                  colour_u32(UiColour::Text), l.label.c_str());
      dl->PopClipRect();
    }
    dl->AddText(ImVec2(p.x + time_w + lanes_w + 10, p.y + 3), colour_u32(UiColour::Muted),
                "what happened (click a row to see the block right after it)");
    ImGui::Dummy(ImVec2(time_w + lanes_w, ImGui::GetTextLineHeight() + 8));
  }

  ImGui::BeginChild("diagram", ImVec2(0, 0), true);
  const float row_h = ImGui::GetTextLineHeight() * static_cast<float>(ui.diagram_zoom) + 4;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(v.rows.size()), row_h);
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const SequenceRow& r = v.rows[static_cast<std::size_t>(i)];
      const ImVec2 p = ImGui::GetCursorScreenPos();
      const float w = ImGui::GetContentRegionAvail().x;
      ImGui::PushID(i);
      const bool pinned =
          ui.pinned_journal_seq >= 0 && static_cast<std::uint64_t>(ui.pinned_journal_seq) == r.seq;
      if (ImGui::InvisibleButton("row", ImVec2(w, row_h))) {
        ui.pinned_journal_seq = pinned ? -1 : static_cast<std::int64_t>(r.seq);
      }
      const bool hovered = ImGui::IsItemHovered();
      if (static_cast<std::size_t>(i) + 1 == v.rows.size()) record_widget("sequence_last_row");
      ImGui::PopID();
      if (hovered) {
        ui.hover = {Highlight::Target::JournalEntry, r.seq, 0, 0, -1};
        // The lesson's narration too: why this happened, not only what (issue 4).
        const std::string why = narration_of_journal_entry(in.history, r.seq);
        ImGui::SetTooltip("#%llu  %s%s%s", static_cast<unsigned long long>(r.seq), r.text.c_str(),
                          why.empty() ? "" : "\n", why.c_str());
      }
      if (pinned) {
        dl->AddRectFilled(p, ImVec2(p.x + w, p.y + row_h),
                          colour_with_alpha(UiColour::Past, 0.35f));
      } else if (hovered || row_is_lit(r, ui.hover_prev)) {
        dl->AddRectFilled(p, ImVec2(p.x + w, p.y + row_h),
                          colour_with_alpha(UiColour::Hover, 0.22f));
      }
      char buf[32];
      // Negative before the origin: a recording starts with the records already in the ring.
      const double t = r.t_ns >= v.time_origin_ns
                           ? static_cast<double>(r.t_ns - v.time_origin_ns) / 1e9
                           : -static_cast<double>(v.time_origin_ns - r.t_ns) / 1e9;
      std::snprintf(buf, sizeof buf, "%11.6f s", t);
      const float ty = p.y + (row_h - ImGui::GetTextLineHeight()) * 0.5f;
      dl->AddText(ImVec2(p.x, ty), colour_u32(UiColour::Muted), buf);
      for (std::size_t l = 0; l < v.lanes.size(); ++l) {
        const float cx = lane_x(p.x, static_cast<int>(l));
        if (r.holding_mask & (1u << l)) {
          dl->AddRectFilled(ImVec2(cx - 5, p.y), ImVec2(cx + 5, p.y + row_h),
                            colour_u32(UiColour::Held));
        } else {
          dl->AddLine(ImVec2(cx, p.y), ImVec2(cx, p.y + row_h),
                      colour_with_alpha(role_colour(v.lanes[l].role), 0.6f), 2);
        }
      }
      const float cy = p.y + row_h * 0.5f;
      if (r.from_lane >= 0 && r.from_lane < static_cast<int>(v.lanes.size())) {
        const float fx = lane_x(p.x, r.from_lane);
        const ImU32 col = colour_u32(r.colour);
        if (r.to_lane >= 0 && r.to_lane < static_cast<int>(v.lanes.size())) {
          draw_arrow(dl, fx, lane_x(p.x, r.to_lane), cy, col, hovered ? 3.0f : 2.0f);
        } else {
          dl->AddCircleFilled(ImVec2(fx, cy), 4, col);
        }
      }
      dl->AddText(ImVec2(p.x + time_w + lanes_w + 10, ty), colour_u32(r.colour), r.text.c_str());
    }
  }
  clipper.End();
  // Follow new records unless the user scrolled back, or clicked a row to look at: then the
  // row they clicked stays where it is ("Back to live" follows again).
  ImGuiWindow* diagram = ImGui::GetCurrentWindow();
  const bool user_scrolling =
      (ImGui::IsWindowHovered() && ImGui::GetIO().MouseWheel != 0.0f) ||
      ImGui::GetActiveID() == ImGui::GetWindowScrollbarID(diagram, ImGuiAxis_Y);
  if (user_scrolling) ui.diagram_follow = ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - row_h * 3;
  if (ui.diagram_scroll_to_newest ||
      (!ui.paused && ui.pinned_journal_seq < 0 && ui.diagram_follow)) {
    ui.diagram_scroll_to_newest = false;
    // To the very end (clamped by Dear ImGui to the content): SetScrollHereY aimed at the last
    // row the clipper drew, so the diagram stopped short of its newest rows.
    ImGui::SetScrollY(1e7f);
  }
  ImGui::EndChild();
  ImGui::End();
}

}  // namespace shmscope
