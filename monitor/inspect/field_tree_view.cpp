// The tree of the user's struct: one row per field, values live, changed fields glowing,
// linked both ways to the hex view through InspectUi::highlight.
#include <imgui.h>

#include <cstdio>

#include "inspect/inspect_views.hpp"
#include "ui/palette.hpp"
#include "ui/widget_registry.hpp"

namespace shmscope::inspect {
namespace {

// Arrays with more elements than this start closed: a 4096-entry ring should not bury the rest.
constexpr std::uint64_t kOpenArrayLimit = 16;

std::string last_component(const std::string& path) {
  if (!path.empty() && path.back() == ']') {
    const auto open = path.rfind('[');
    return path.substr(open);
  }
  const auto dot = path.rfind('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

std::string offset_text(std::uint64_t offset) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "0x%llx (%llu)", static_cast<unsigned long long>(offset),
                static_cast<unsigned long long>(offset));
  return buf;
}

bool starts_closed(const FieldRow& row, const shminspect::Field* field) {
  return field != nullptr && field->kind == shminspect::FieldKind::Array &&
         field->count > kOpenArrayLimit && row.depth > 0;
}

}  // namespace

float glow_alpha(std::uint64_t changed_at_ns, std::uint64_t now_ns) {
  if (changed_at_ns == 0 || now_ns < changed_at_ns) return changed_at_ns == 0 ? 0.0f : 1.0f;
  const std::uint64_t age = now_ns - changed_at_ns;
  if (age >= kGlowNs) return 0.0f;
  return 1.0f - static_cast<float>(age) / static_cast<float>(kGlowNs);
}

std::vector<FieldRow> make_field_rows(const InspectModel& model, std::uint64_t now_ns) {
  std::vector<FieldRow> rows;
  const auto& values = model.shown_values();
  rows.reserve(values.size());
  for (const auto& v : values) {
    FieldRow r;
    r.path = v.path;
    r.name = last_component(v.path);
    r.depth = v.depth;
    r.container = v.is_container;
    r.available = v.available;
    r.in_flux = v.in_flux;
    r.size = v.size;
    r.offset = offset_text(v.offset);
    if (v.field != nullptr) {
      r.atomic = v.field->atomic;
      r.type = v.field->type_name.empty() ? shminspect::kind_name(v.field->kind)
                                          : v.field->type_name;
      if (v.field->is_bitfield()) {
        r.type += " : " + std::to_string(v.field->bit_size);
      }
    }
    if (!r.container) {
      r.value = !v.available ? "(not read)" : v.text;
      if (v.in_flux) r.value += "  (in flux)";
    }
    // A paused view shows no glow: nothing is changing in what it shows.
    r.glow = model.paused() ? 0.0f : glow_alpha(model.field_changed_at(v.path), now_ns);
    r.changes = model.changes_seen(v.path);
    rows.push_back(std::move(r));
  }
  return rows;
}

void draw_field_tree(const InspectModel& model, InspectUi& ui, InspectActions& out) {
  const std::vector<FieldRow> rows = make_field_rows(model, ui.now_ns);
  if (rows.empty()) {
    ImGui::TextDisabled("%s", model.latest_sample().present ? "no fields decoded yet"
                                                              : "the segment is not there");
    return;
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_Resizable | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("fields", 5, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("Field", ImGuiTableColumnFlags_WidthStretch, 2.2f);
  ImGui::TableSetupColumn("Value", ImGuiTableColumnFlags_WidthStretch, 2.4f);
  ImGui::TableSetupColumn("Type", ImGuiTableColumnFlags_WidthStretch, 1.6f);
  ImGui::TableSetupColumn("Offset", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableSetupColumn("Size", ImGuiTableColumnFlags_WidthStretch, 0.5f);
  ImGui::TableHeadersRow();

  const auto& values = model.shown_values();
  int closed_depth = -1;  // rows deeper than a closed container are skipped
  int pushed = 0;         // TreePush levels open
  std::vector<int> open_depths;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const FieldRow& r = rows[i];
    if (closed_depth >= 0 && r.depth > closed_depth) continue;
    closed_depth = -1;
    while (!open_depths.empty() && open_depths.back() >= r.depth) {
      ImGui::TreePop();
      open_depths.pop_back();
      --pushed;
    }
    ImGui::TableNextRow();
    if (r.glow > 0) {
      ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, colour_with_alpha(UiColour::Glow, 0.3f * r.glow));
    }
    if (r.path == ui.highlight) {
      ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, colour_with_alpha(UiColour::Hover, 0.55f));
    }
    ImGui::TableSetColumnIndex(0);
    ImGuiTreeNodeFlags node = ImGuiTreeNodeFlags_SpanFullWidth | ImGuiTreeNodeFlags_OpenOnArrow;
    if (!r.container) node |= ImGuiTreeNodeFlags_Leaf | ImGuiTreeNodeFlags_NoTreePushOnOpen;
    if (r.path == ui.selected_path) node |= ImGuiTreeNodeFlags_Selected;
    bool open = true;
    if (r.container) {
      const bool default_closed = starts_closed(r, values[i].field);
      const bool want_open = default_closed ? ui.expanded.count(r.path) != 0
                                            : ui.collapsed.count(r.path) == 0;
      ImGui::SetNextItemOpen(want_open, ImGuiCond_Always);
    }
    if (ui.scroll_tree_to == r.path) {
      ImGui::SetScrollHereY(0.3f);
      ui.scroll_tree_to.clear();
    }
    ImGui::PushID(r.path.c_str());
    open = ImGui::TreeNodeEx("##row", node, "%s", r.name.c_str());
    ImGui::PopID();
    if (r.container) {
      const bool default_closed = starts_closed(r, values[i].field);
      if (default_closed) {
        if (open) ui.expanded.insert(r.path); else ui.expanded.erase(r.path);
      } else {
        if (open) ui.collapsed.erase(r.path); else ui.collapsed.insert(r.path);
      }
    }
    if (ImGui::IsItemHovered()) ui.hovered_path = r.path;
    if (ImGui::IsItemClicked() && !ImGui::IsItemToggledOpen()) {
      ui.selected_path = r.path;
      ui.scroll_hex_to = values[i].offset;
      out.keep_history = r.path;
    }
    if (i < 64) record_widget("inspect_row:" + r.path);
    if (r.container && open) {
      open_depths.push_back(r.depth);
      ++pushed;
    } else if (r.container) {
      closed_depth = r.depth;
    }
    ImGui::TableSetColumnIndex(1);
    if (!r.container) {
      if (!r.available || r.in_flux) {
        ImGui::TextColored(colour_vec4(r.in_flux ? UiColour::Corrupt : UiColour::Muted), "%s",
                           r.value.c_str());
      } else {
        ImGui::TextUnformatted(r.value.c_str());
      }
    }
    ImGui::TableSetColumnIndex(2);
    ImGui::TextColored(colour_vec4(UiColour::Muted), "%s", r.type.c_str());
    if (r.atomic) {
      ImGui::SameLine();
      ImGui::TextColored(colour_vec4(UiColour::Child), "atomic");
    }
    ImGui::TableSetColumnIndex(3);
    ImGui::TextColored(colour_vec4(UiColour::Muted), "%s", r.offset.c_str());
    ImGui::TableSetColumnIndex(4);
    ImGui::TextColored(colour_vec4(UiColour::Muted), "%llu", static_cast<unsigned long long>(r.size));
  }
  while (pushed-- > 0) ImGui::TreePop();
  ImGui::EndTable();
}

}  // namespace shmscope::inspect
