// The Block panel: decoded fields beside a hex + ASCII view of the whole raw block.
#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "model/block_fields.hpp"
#include "panels/block_view.hpp"
#include "panels/panel_widgets.hpp"
#include "panels/panels.hpp"
#include "ui/palette.hpp"

namespace shmscope {

namespace {

constexpr double kGlowSeconds = 1.5;

bool in_ranges(const std::vector<BlockField>& ranges, std::size_t offset) {
  for (const BlockField& f : ranges) {
    if (offset >= f.offset && offset < f.offset + f.size) return true;
  }
  return false;
}

std::uint64_t journal_seq_at(const shmipc::Snapshot& snap, std::size_t offset, bool* ok) {
  *ok = false;
  auto f = field_at(offset);
  if (!f || f->region != FieldRegion::Journal || f->name.rfind("journal.entries[", 0) != 0) {
    return 0;
  }
  const std::size_t entry = offsetof(shmipc::Block, journal) + 64 +
                            (offset - offsetof(shmipc::Block, journal) - 64) / 64 * 64;
  if (entry + 8 > snap.raw.size()) return 0;
  std::uint64_t head = 0;
  for (int i = 0; i < 8; ++i) head |= static_cast<std::uint64_t>(snap.raw[entry + i]) << (8 * i);
  if (head == 0) return 0;
  *ok = true;
  return head - 1;
}

// [SECTION] Decoded fields
void draw_fields(const BlockView& v, const std::vector<BlockField>& lit, UiState& ui) {
  if (!ImGui::BeginTable("fields", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
    return;
  }
  // As wide as the longest field name at the current font size (presentation scales it).
  ImGui::TableSetupColumn("field", ImGuiTableColumnFlags_WidthFixed,
                          ImGui::CalcTextSize("read sequence ").x);
  ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
  for (const FieldRow& r : v.fields) {
    ImGui::TableNextRow();
    const bool lit_row = r.size != 0 && in_ranges(lit, r.offset);
    if (lit_row) {
      ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, colour_with_alpha(UiColour::Hover, 0.30f));
    }
    ImGui::TableNextColumn();
    ImGui::Selectable(r.label.c_str(), false, ImGuiSelectableFlags_SpanAllColumns);
    if (ImGui::IsItemHovered()) {
      ui.hover = {Highlight::Target::BlockRange, 0, r.offset, r.size, -1};
      ImGui::BeginTooltip();
      ImGui::Text("%s: offset %zu, %zu bytes", r.field.c_str(), r.offset, r.size);
      if (r.corrupt)
        ImGui::TextColored(colour_vec4(UiColour::Corrupt), "CORRUPT: %s", r.problem.c_str());
      ImGui::EndTooltip();
    }
    if (ImGui::IsItemClicked()) ui.hex_scroll_to = static_cast<std::int64_t>(r.offset);
    ImGui::TableNextColumn();
    if (r.corrupt) {
      ImGui::TextColored(colour_vec4(UiColour::Corrupt), "CORRUPT %s", r.value.c_str());
    } else {
      ImGui::TextColored(colour_vec4(r.colour), "%s", r.value.c_str());
    }
  }
  ImGui::EndTable();
}

// [SECTION] Selection and inspector
void draw_selection(const BlockView& v, UiState& ui) {
  const auto& raw = v.snapshot->raw;
  const std::size_t b = std::min(ui.selection_begin, raw.size());
  const std::size_t e = std::min(std::max(ui.selection_end, b), raw.size());
  ImGui::Separator();
  if (b == e) {
    text_wrapped_in(colour_vec4(UiColour::Muted), "Select bytes in the hex view (drag, or shift-click) to inspect them.");
    return;
  }
  std::span<const std::byte> sel(raw.data() + b, e - b);
  auto f = field_at(b);
  ImGui::Text("Selection: offset %zu (0x%zX), %zu bytes  [%s]", b, b, e - b,
              f ? f->name.c_str() : "?");
  if (ImGui::Button("Copy as hex")) ImGui::SetClipboardText(bytes_as_hex(sel).c_str());
  ImGui::SameLine();
  if (ImGui::Button("Copy as C array")) ImGui::SetClipboardText(bytes_as_c_array(sel).c_str());
  ImGui::SameLine();
  if (ImGui::Button("Clear")) ui.selection_begin = ui.selection_end = 0;
  const auto rows = inspect_bytes(sel);
  if (!rows.empty() &&
      ImGui::BeginTable("inspector", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
    ImGui::TableSetupColumn("type", ImGuiTableColumnFlags_WidthFixed, 50);
    ImGui::TableSetupColumn("little-endian");
    ImGui::TableSetupColumn("big-endian");
    ImGui::TableHeadersRow();
    for (const InspectorRow& r : rows) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(r.type.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(r.little_endian.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(r.big_endian.c_str());
    }
    ImGui::EndTable();
  }
  const std::string text = bytes_as_text(sel.first(std::min<std::size_t>(sel.size(), 64)));
  ImGui::Text("text: \"%s\"%s", text.c_str(), sel.size() > 64 ? "..." : "");
}

// [SECTION] Hex + ASCII view
void draw_hex(const PanelInput& in, const BlockView& v, const std::vector<BlockField>& lit,
              UiState& ui) {
  const auto& raw = v.snapshot->raw;
  const auto& changed = in.history.byte_changed_ns();
  // A recording playing glows as a live block does: bytes changed near the shown instant.
  const bool live = v.source == BlockView::Source::Live || v.source == BlockView::Source::Recorded;

  for (FieldRegion r : {FieldRegion::Header, FieldRegion::Message, FieldRegion::Data,
                        FieldRegion::Mutex, FieldRegion::Events, FieldRegion::Waiters,
                        FieldRegion::Participants, FieldRegion::Journal}) {
    if (ImGui::SmallButton(region_name(r)))
      ui.hex_scroll_to = static_cast<std::int64_t>(region_offset(r));
    ImGui::SameLine();
  }
  ImGui::NewLine();

  ImGui::BeginChild("hex", ImVec2(0, 0), true, ImGuiWindowFlags_NoMove);
  const float line_h = ImGui::GetTextLineHeightWithSpacing();
  // The UI font may be proportional: hex pairs sit on a grid of digit widths, and every ASCII
  // glyph is centred in a cell as wide as the widest letter, so the columns stay straight.
  const float cw = ImGui::CalcTextSize("D").x;
  const float aw = ImGui::CalcTextSize("W").x;
  // 16 bytes a row when they fit with their ASCII column, else 8 (readable, never clipped).
  const float wide_w = (8 + 16 * 3 + 2) * cw + 16 * aw + cw + ImGui::GetStyle().ScrollbarSize;
  const std::size_t kBytesPerRow = ImGui::GetContentRegionAvail().x >= wide_w ? 16 : 8;
  const std::size_t half = kBytesPerRow / 2;
  const std::size_t rows = (raw.size() + kBytesPerRow - 1) / kBytesPerRow;
  if (ui.hex_scroll_to >= 0) {
    const auto row = static_cast<std::size_t>(ui.hex_scroll_to) / kBytesPerRow;
    ImGui::SetScrollY(static_cast<float>(row) * line_h);
    ui.hex_scroll_to = -1;
  }
  const ImVec2 origin = ImGui::GetCursorScreenPos();  // row 0, scrolled
  const float hex_x = origin.x + 8 * cw;
  const float ascii_x = hex_x + (kBytesPerRow * 3 + 2) * cw;
  const float names_x = ascii_x + static_cast<float>(kBytesPerRow) * aw + 2 * cw;
  const bool show_names =
      ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x - names_x > 14 * cw;
  auto byte_x = [&](std::size_t col) {
    return hex_x + static_cast<float>(col * 3 + (col >= half ? 1 : 0)) * cw;
  };

  // Which byte is under the mouse (hex or ASCII column).
  std::size_t hovered = SIZE_MAX;
  const ImVec2 mouse = ImGui::GetMousePos();
  if (ImGui::IsWindowHovered() && mouse.y >= origin.y) {
    const auto row = static_cast<std::size_t>((mouse.y - origin.y) / line_h);
    std::size_t col = SIZE_MAX;
    if (mouse.x >= hex_x && mouse.x < ascii_x - cw) {
      const float rel = (mouse.x - hex_x) / cw;
      const auto c = static_cast<std::size_t>(
          rel >= static_cast<float>(half * 3 + 1) ? (rel - 1) / 3 : rel / 3);
      if (c < kBytesPerRow) col = c;
    } else if (mouse.x >= ascii_x && mouse.x < ascii_x + static_cast<float>(kBytesPerRow) * aw) {
      col = static_cast<std::size_t>((mouse.x - ascii_x) / aw);
    }
    if (col != SIZE_MAX && row < rows && row * kBytesPerRow + col < raw.size()) {
      hovered = row * kBytesPerRow + col;
    }
  }
  if (hovered != SIZE_MAX) {
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
      if (ImGui::GetIO().KeyShift && ui.selection_end > ui.selection_begin) {
        ui.selection_begin = std::min(ui.selection_anchor, hovered);
        ui.selection_end = std::max(ui.selection_anchor, hovered) + 1;
      } else {
        ui.selection_anchor = hovered;
        ui.selection_begin = hovered;
        ui.selection_end = hovered + 1;
        ui.hex_dragging = true;
      }
    } else if (ui.hex_dragging && ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
      ui.selection_begin = std::min(ui.selection_anchor, hovered);
      ui.selection_end = std::max(ui.selection_anchor, hovered) + 1;
    }
    bool is_journal = false;
    const std::uint64_t seq = journal_seq_at(*v.snapshot, hovered, &is_journal);
    auto f = field_at(hovered);
    if (is_journal) {
      ui.hover = {Highlight::Target::JournalEntry, seq, 0, 0, -1};
    } else if (f) {
      ui.hover = {Highlight::Target::BlockRange, 0, f->offset, f->size, -1};
    }
    ImGui::BeginTooltip();
    ImGui::Text("offset %zu (0x%zX): 0x%02X", hovered, hovered,
                static_cast<unsigned>(raw[hovered]));
    if (f) ImGui::Text("%s  (offset %zu, %zu bytes)", f->name.c_str(), f->offset, f->size);
    if (is_journal) ImGui::Text("journal record #%llu", static_cast<unsigned long long>(seq));
    if (const auto* p = v.problem_at(hovered)) {
      ImGui::TextColored(colour_vec4(UiColour::Corrupt), "CORRUPT: %s %s", p->field.c_str(),
                         p->problem.c_str());
    }
    ImGui::EndTooltip();
  }
  if (!ImGui::IsMouseDown(ImGuiMouseButton_Left)) ui.hex_dragging = false;

  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(rows), line_h);
  while (clipper.Step()) {
    for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
      const std::size_t base = static_cast<std::size_t>(row) * kBytesPerRow;
      const ImVec2 p = ImGui::GetCursorScreenPos();
      char buf[24];
      std::snprintf(buf, sizeof buf, "%06zX", base);
      dl->AddText(ImVec2(origin.x, p.y), colour_u32(UiColour::Muted), buf);
      std::string names;
      for (std::size_t c = 0; c < kBytesPerRow && base + c < raw.size(); ++c) {
        const std::size_t off = base + c;
        const float x = byte_x(c);
        const float ax = ascii_x + static_cast<float>(c) * aw;
        ImU32 bg = 0;
        const bool corrupt = v.problem_at(off) != nullptr;
        if (off >= ui.selection_begin && off < ui.selection_end) {
          bg = colour_with_alpha(UiColour::Selection, 0.55f);
        } else if (in_ranges(lit, off)) {
          bg = colour_with_alpha(UiColour::Hover, 0.40f);
        } else if (corrupt) {
          bg = colour_with_alpha(UiColour::Corrupt, 0.55f);
        } else if (live && off < changed.size() && changed[off] != 0 && in.now_ns >= changed[off]) {
          const double age = static_cast<double>(in.now_ns - changed[off]) / 1e9;
          if (age < kGlowSeconds) {
            bg = colour_with_alpha(UiColour::Glow,
                                   static_cast<float>(0.6 * (1 - age / kGlowSeconds)));
          }
        }
        if (bg != 0) {
          dl->AddRectFilled(ImVec2(x - 1, p.y), ImVec2(x + 2 * cw + 1, p.y + line_h - 1), bg);
          dl->AddRectFilled(ImVec2(ax, p.y), ImVec2(ax + aw, p.y + line_h - 1), bg);
        }
        const auto u = static_cast<unsigned>(raw[off]);
        std::snprintf(buf, sizeof buf, "%02X", u);
        const ImU32 fg = corrupt
                             ? colour_u32(UiColour::Text)
                             : (u == 0 ? colour_u32(UiColour::Muted) : colour_u32(UiColour::Text));
        dl->AddText(ImVec2(x + (2 * cw - ImGui::CalcTextSize(buf).x) * 0.5f, p.y), fg, buf);
        const char ch[2] = {(u >= 0x20 && u < 0x7F) ? static_cast<char>(u) : '.', 0};
        const float gx = ax + (aw - ImGui::CalcTextSize(ch).x) * 0.5f;
        dl->AddText(ImVec2(gx, p.y), u == 0 ? colour_u32(UiColour::Muted) : fg, ch);
        auto f = field_at(off);
        if (f && f->offset == off && f->name != "(padding)" && names.size() < 40) {
          if (!names.empty()) names += ", ";
          names += f->name;
        }
      }
      // Field names only where they fit whole enough to read; the tooltip names every byte.
      if (!names.empty() && show_names) {
        dl->AddText(ImVec2(names_x, p.y), colour_u32(UiColour::Muted), names.c_str());
      }
      ImGui::Dummy(ImVec2(names_x - origin.x + 40 * cw, line_h - ImGui::GetStyle().ItemSpacing.y));
    }
  }
  clipper.End();
  ImGui::EndChild();
}

}  // namespace

void draw_block_panel(const PanelInput& in, UiState& ui, PanelOutput& /*out*/) {
  if (!ImGui::Begin("Block")) {
    ImGui::End();
    return;
  }
  const BlockView v = make_block_view(in, ui);
  if (v.source == BlockView::Source::Pinned) {
    text_wrapped_in(colour_vec4(UiColour::Past), v.status.c_str());
    if (ImGui::Button("Back to live")) ui.pinned_journal_seq = -1;
  } else {
    // Wrapped: in a projector's narrow column "Attached, waiting for the first snapshot of the
    // block." is wider than the panel.
    text_wrapped_in(
        colour_vec4(v.source == BlockView::Source::None       ? UiColour::Muted
                    : v.source == BlockView::Source::Stale    ? UiColour::Waiting
                    : v.source == BlockView::Source::Recorded ? UiColour::Past
                                                           : UiColour::Good),
        v.status.c_str());
    if (ui.pinned_journal_seq >= 0) {
      ImGui::SameLine();
      if (ImGui::SmallButton("Unpin")) ui.pinned_journal_seq = -1;
    }
  }
  if (!v.corrupt_summary.empty()) {
    text_wrapped_in(colour_vec4(UiColour::Corrupt), v.corrupt_summary.c_str());
  }
  if (v.snapshot == nullptr) {
    ImGui::End();
    return;
  }
  std::vector<BlockField> lit = highlight_ranges(ui.hover_prev);
  if (ui.hover_prev.target == Highlight::Target::JournalEntry) {
    // A message record lights the data it wrote or read too.
    for (const auto& item : in.history.journal()) {
      if (item.seq != ui.hover_prev.journal_seq) continue;
      const auto k = static_cast<shmipc::JournalKind>(item.record.kind);
      if (k == shmipc::JournalKind::MessageWritten || k == shmipc::JournalKind::MessageRead) {
        lit.push_back({"message.data", offsetof(shmipc::Block, message) + 64,
                       std::min<std::size_t>(item.record.arg, shmipc::kDataCapacity),
                       FieldRegion::Data});
      }
      break;
    }
  }

  if (ui.block_fields_only) {
    draw_fields(v, lit, ui);
    ImGui::End();
    return;
  }
  const float fields_w = std::min(420.0f, ImGui::GetContentRegionAvail().x * 0.36f);
  ImGui::BeginChild("left", ImVec2(fields_w, 0), false);
  draw_fields(v, lit, ui);
  draw_selection(v, ui);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("right", ImVec2(0, 0), false);
  draw_hex(in, v, lit, ui);
  ImGui::EndChild();
  ImGui::End();
}

}  // namespace shmscope
