// The segment's bytes, 16 a row: the lit-up field's bytes highlighted, recent changes glowing,
// bytes caught mid-write marked. Hovering a byte lights its field in the tree; a click selects
// it there.
#include <imgui.h>

#include <cstdio>
#include <limits>

#include "inspect/inspect_views.hpp"
#include "ui/palette.hpp"
#include "ui/widget_registry.hpp"

namespace shmscope::inspect {
namespace {

constexpr int kBytesPerRow = 16;

bool in_range(std::uint64_t offset, const shminspect::DecodedValue* v) {
  return v != nullptr && offset >= v->offset && offset - v->offset < v->size;
}

}  // namespace

HexByteStyle hex_byte_style(const InspectModel& model, const InspectUi& ui, std::uint64_t offset) {
  HexByteStyle s;
  const shminspect::Sample& sample = model.shown_sample();
  s.sampled = sample.covers(offset, 1);
  if (offset >= sample.base && offset - sample.base < sample.in_flux.size()) {
    s.in_flux = sample.in_flux[offset - sample.base] != 0;
  }
  s.highlighted = !ui.highlight.empty() && in_range(offset, model.shown_value(ui.highlight));
  s.selected = !ui.selected_path.empty() && in_range(offset, model.shown_value(ui.selected_path));
  s.glow = model.paused() ? 0.0f : glow_alpha(model.byte_changed_at(offset), ui.now_ns);
  return s;
}

void draw_hex_view(const InspectModel& model, InspectUi& ui, InspectActions& out) {
  const shminspect::Sample& sample = model.shown_sample();
  if (!sample.present) {
    ImGui::TextDisabled("no bytes: the segment is not there");
    return;
  }
  const std::uint64_t first = sample.base;
  const std::uint64_t end = sample.base + sample.bytes.size();
  if (end <= first) {
    ImGui::TextDisabled("the segment is empty (0 bytes)");
    return;
  }
  if (sample.segment_size > end) {
    ImGui::TextColored(colour_vec4(UiColour::Waiting), "showing bytes %llu..%llu of %llu (sampled)",
                       static_cast<unsigned long long>(first), static_cast<unsigned long long>(end),
                       static_cast<unsigned long long>(sample.segment_size));
  }
  // The highlighted field's bytes are looked up once, not per byte.
  const shminspect::DecodedValue* lit = ui.highlight.empty() ? nullptr : model.shown_value(ui.highlight);
  const shminspect::DecodedValue* sel =
      ui.selected_path.empty() ? nullptr : model.shown_value(ui.selected_path);

  ImGui::BeginChild("hex", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
  const float cell = ImGui::CalcTextSize("00").x + 6.0f;
  const float ascii_cell = ImGui::CalcTextSize("W").x + 1.0f;
  const float offset_w = ImGui::CalcTextSize("00000000").x + 12.0f;
  const float line_h = ImGui::GetTextLineHeightWithSpacing();
  const std::uint64_t rows = (end - first + kBytesPerRow - 1) / kBytesPerRow;
  if (ui.scroll_hex_to != std::numeric_limits<std::uint64_t>::max()) {
    if (ui.scroll_hex_to >= first && ui.scroll_hex_to < end) {
      const float y = static_cast<float>((ui.scroll_hex_to - first) / kBytesPerRow) * line_h;
      if (y < ImGui::GetScrollY() || y > ImGui::GetScrollY() + ImGui::GetWindowHeight() - 2 * line_h) {
        ImGui::SetScrollY(y - ImGui::GetWindowHeight() * 0.3f);
      }
    }
    ui.scroll_hex_to = std::numeric_limits<std::uint64_t>::max();
  }
  ImDrawList* draw = ImGui::GetWindowDrawList();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(rows), line_h);
  while (clipper.Step()) {
    for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
      const std::uint64_t row_start = first + static_cast<std::uint64_t>(row) * kBytesPerRow;
      const ImVec2 p = ImGui::GetCursorScreenPos();
      char label[24];
      std::snprintf(label, sizeof label, "%08llx", static_cast<unsigned long long>(row_start));
      draw->AddText(p, colour_u32(UiColour::Muted), label);
      for (int col = 0; col < kBytesPerRow; ++col) {
        const std::uint64_t off = row_start + static_cast<std::uint64_t>(col);
        if (off >= end) break;
        HexByteStyle st;
        st.sampled = sample.covers(off, 1);
        st.in_flux = off - first < sample.in_flux.size() && sample.in_flux[off - first] != 0;
        st.highlighted = in_range(off, lit);
        st.selected = in_range(off, sel);
        st.glow = model.paused() ? 0.0f : glow_alpha(model.byte_changed_at(off), ui.now_ns);
        const float x = p.x + offset_w + static_cast<float>(col) * cell + (col >= 8 ? 6.0f : 0.0f);
        const ImVec2 a(x - 2, p.y), b(x + cell - 4, p.y + line_h - 1);
        if (st.selected) draw->AddRectFilled(a, b, colour_with_alpha(UiColour::Selection, 0.55f));
        if (st.highlighted) draw->AddRectFilled(a, b, colour_with_alpha(UiColour::Hover, 0.6f));
        if (st.glow > 0) draw->AddRectFilled(a, b, colour_with_alpha(UiColour::Glow, 0.5f * st.glow));
        const std::uint8_t byte = sample.bytes[off - first];
        char hex[4];
        std::snprintf(hex, sizeof hex, "%02x", byte);
        const UiColour text = !st.sampled ? UiColour::Muted : st.in_flux ? UiColour::Corrupt
                                                                          : UiColour::Text;
        draw->AddText(ImVec2(x, p.y), colour_u32(text), st.sampled ? hex : "..");
        const float ax = p.x + offset_w + kBytesPerRow * cell + 18.0f + static_cast<float>(col) * ascii_cell;
        const char ch[2] = {byte >= 0x20 && byte < 0x7f ? static_cast<char>(byte) : '.', 0};
        if (st.highlighted || st.selected) {
          draw->AddRectFilled(ImVec2(ax, p.y), ImVec2(ax + ascii_cell, p.y + line_h - 1),
                              colour_with_alpha(st.highlighted ? UiColour::Hover : UiColour::Selection, 0.5f));
        }
        draw->AddText(ImVec2(ax, p.y), colour_u32(st.sampled ? UiColour::Text : UiColour::Muted), ch);
        const bool hovered = ImGui::IsMouseHoveringRect(a, b) ||
                             ImGui::IsMouseHoveringRect(ImVec2(ax, p.y), ImVec2(ax + ascii_cell, p.y + line_h - 1));
        if (hovered && ImGui::IsWindowHovered()) {
          ui.hovered_byte = static_cast<std::int64_t>(off);
          const std::string field = field_at_byte(model.shown_values(), off);
          if (!field.empty()) ui.hovered_path = field;
          ImGui::SetTooltip("byte %llu (0x%llx) = 0x%02x%s%s", static_cast<unsigned long long>(off),
                            static_cast<unsigned long long>(off), byte,
                            field.empty() ? "" : "\nfield ", field.c_str());
          if (ImGui::IsMouseClicked(0) && !field.empty()) {
            ui.selected_path = field;
            ui.scroll_tree_to = field;
            out.keep_history = field;
          }
        }
      }
      ImGui::Dummy(ImVec2(offset_w + kBytesPerRow * (cell + ascii_cell) + 30.0f, ImGui::GetTextLineHeight()));
      if (row == 0) record_widget("inspect_hex_row0");
    }
  }
  ImGui::EndChild();
}

}  // namespace shmscope::inspect
