// The selected field in every form a debugger would want (type, place, bits, value as signed,
// unsigned, hex, enum name), and its history plotted while the view is open.
#include <imgui.h>

#include <algorithm>
#include <bitset>
#include <cfloat>
#include <cstdio>

#include "inspect/inspect_views.hpp"
#include "ui/palette.hpp"

namespace shmscope::inspect {
namespace {

std::string number_text(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string seconds_ago(std::uint64_t then, std::uint64_t now) {
  if (then == 0) return "not seen changing";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f s ago", static_cast<double>(now - std::min(now, then)) * 1e-9);
  return buf;
}

}  // namespace

FieldDetails make_field_details(const InspectModel& model, const std::string& path,
                                std::uint64_t now_ns) {
  FieldDetails d;
  d.path = path;
  const shminspect::DecodedValue* v = model.shown_value(path);
  if (v == nullptr) return d;
  d.found = true;
  auto add = [&](std::string label, std::string value) {
    d.lines.emplace_back(std::move(label), std::move(value));
  };
  const shminspect::Field* f = v->field;
  if (f != nullptr) {
    add("type", (f->type_name.empty() ? std::string(shminspect::kind_name(f->kind)) : f->type_name) +
                    " (" + shminspect::kind_name(f->kind) + ")" + (f->atomic ? ", std::atomic" : ""));
  }
  char place[128];
  std::snprintf(place, sizeof place, "offset %llu (0x%llx), %llu bytes, cache line %llu",
                static_cast<unsigned long long>(v->offset), static_cast<unsigned long long>(v->offset),
                static_cast<unsigned long long>(v->size),
                static_cast<unsigned long long>(v->offset / shminspect::kCacheLine));
  add("place", place);
  if (v->size > 0 && (v->offset / shminspect::kCacheLine) !=
                         ((v->offset + v->size - 1) / shminspect::kCacheLine)) {
    add("note", "straddles a cache-line boundary");
  }
  if (f != nullptr && f->is_bitfield()) {
    add("bits", std::to_string(f->bit_size) + " bits from bit " + std::to_string(f->bit_offset) +
                    " of the storage unit");
  }
  if (v->is_container) {
    if (f != nullptr && f->kind == shminspect::FieldKind::Array) {
      add("elements", std::to_string(f->count) + " x " + std::to_string(f->stride) + " bytes" +
                          (f->flexible ? " (flexible array: counted from the segment size)" : ""));
    }
  } else if (!v->available) {
    add("value", "not read (outside the sampled bytes)");
  } else {
    add("value", v->text + (v->in_flux ? "  (in flux: being written)" : ""));
    if (v->as_signed) add("signed", std::to_string(*v->as_signed));
    if (v->as_unsigned) {
      char hex[32];
      std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(*v->as_unsigned));
      add("unsigned", std::to_string(*v->as_unsigned));
      add("hex", hex);
      if (v->size <= 2 || (f != nullptr && f->is_bitfield())) {
        const unsigned bits = f != nullptr && f->is_bitfield() ? f->bit_size
                                                               : static_cast<unsigned>(v->size * 8);
        std::string b = std::bitset<64>(*v->as_unsigned).to_string();
        add("binary", b.substr(64 - std::min(64u, bits)));
      }
    }
    if (!v->enumerator.empty()) add("enumerator", v->enumerator);
    if (f != nullptr && !f->enumerators.empty()) {
      std::string all;
      for (const auto& e : f->enumerators) {
        if (!all.empty()) all += ", ";
        all += e.name + " = " + std::to_string(e.value);
      }
      add("enumerators", all);
    }
    if (f != nullptr && f->kind == shminspect::FieldKind::Text) {
      add("text", v->text_is_utf8 ? "valid UTF-8" : "not UTF-8: shown as bytes");
    }
  }
  add("changed", std::to_string(model.changes_seen(path)) + " times while viewed, last " +
                     seconds_ago(model.field_changed_at(path), now_ns));

  const auto& points = model.history().points(path);
  if (!points.empty()) {
    double lo = points.front().value, hi = lo;
    d.plot.reserve(points.size());
    for (const auto& p : points) {
      d.plot.push_back(static_cast<float>(p.value));
      lo = std::min(lo, p.value);
      hi = std::max(hi, p.value);
    }
    const double span = static_cast<double>(points.back().time_ns - points.front().time_ns) * 1e-9;
    char caption[160];
    std::snprintf(caption, sizeof caption, "%zu points over %.1f s, min %s, max %s, last %s",
                  points.size(), span, number_text(lo).c_str(), number_text(hi).c_str(),
                  number_text(points.back().value).c_str());
    d.plot_caption = caption;
  } else if (!v->is_container) {
    d.plot_caption = v->number ? "no history yet" : "not a number: no plot";
  }
  return d;
}

void draw_field_inspector(const InspectModel& model, InspectUi& ui, InspectActions&) {
  const std::string& path = ui.selected_path.empty() ? ui.highlight : ui.selected_path;
  if (path.empty()) {
    ImGui::TextDisabled("Select a field in the tree or a byte in the hex view.");
    return;
  }
  const FieldDetails d = make_field_details(model, path, ui.now_ns);
  ImGui::TextColored(colour_vec4(UiColour::Hover), "%s", path.c_str());
  if (!d.found) {
    ImGui::TextDisabled("not in the shown sample");
    return;
  }
  if (ImGui::BeginTable("details", 2, ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("label", ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize("enumerators").x + 8);
    ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
    for (const auto& [label, value] : d.lines) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::TextColored(colour_vec4(UiColour::Muted), "%s", label.c_str());
      ImGui::TableSetColumnIndex(1);
      ImGui::TextWrapped("%s", value.c_str());
    }
    ImGui::EndTable();
  }
  if (!d.plot.empty()) {
    const float h = std::max(60.0f, ImGui::GetContentRegionAvail().y - ImGui::GetTextLineHeightWithSpacing() - 4);
    ImGui::PlotLines("##history", d.plot.data(), static_cast<int>(d.plot.size()), 0, nullptr,
                     FLT_MAX, FLT_MAX, ImVec2(ImGui::GetContentRegionAvail().x, h));
  }
  if (!d.plot_caption.empty()) ImGui::TextDisabled("%s", d.plot_caption.c_str());
}

}  // namespace shmscope::inspect
