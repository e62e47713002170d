// pahole's facts beside the tree: holes, padding, members across cache lines, and fields of
// one cache line that change independently (written by different threads or processes: false
// sharing), found from the samples while the view is open.
#include <imgui.h>

#include <cstdio>

#include "inspect/inspect_views.hpp"
#include "ui/palette.hpp"

namespace shmscope::inspect {

FactsView make_facts_view(const InspectModel& model) {
  FactsView v;
  std::uint64_t holes = 0, hole_bytes = 0, padding = 0;
  for (const auto& f : model.facts()) {
    if (f.kind == shminspect::FactKind::Hole) {
      ++holes;
      hole_bytes += f.size;
    } else if (f.kind == shminspect::FactKind::TrailingPadding) {
      padding += f.size;
    }
    v.facts.push_back(f.text);
    v.fact_fields.push_back(f.fields);
  }
  const std::uint64_t size = model.layout().size;
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "sizeof %llu bytes, %llu cache lines, %llu holes (%llu bytes), %llu bytes of padding",
                static_cast<unsigned long long>(size),
                static_cast<unsigned long long>((size + shminspect::kCacheLine - 1) / shminspect::kCacheLine),
                static_cast<unsigned long long>(holes), static_cast<unsigned long long>(hole_bytes),
                static_cast<unsigned long long>(padding));
  v.summary = buf;
  for (const auto& f : model.false_sharing()) v.sharing.push_back(f.text);
  v.sharing_caption = "from " + std::to_string(model.false_sharing_samples()) + " pairs of samples";
  return v;
}

void draw_layout_facts(const InspectModel& model, InspectUi& ui, InspectActions&) {
  const FactsView v = make_facts_view(model);
  ImGui::TextWrapped("%s", v.summary.c_str());
  ImGui::Separator();
  ImGui::BeginChild("facts", ImVec2(0, 0), false);
  if (!v.sharing.empty()) {
    ImGui::TextColored(colour_vec4(UiColour::Contended), "False sharing (%s):", v.sharing_caption.c_str());
    for (const auto& s : v.sharing) {
      ImGui::Bullet();
      ImGui::TextWrapped("%s", s.c_str());
    }
  } else {
    ImGui::TextDisabled("No false sharing seen (%s).", v.sharing_caption.c_str());
  }
  if (v.facts.empty()) ImGui::TextDisabled("No holes, no padding.");
  for (std::size_t i = 0; i < v.facts.size(); ++i) {
    ImGui::Bullet();
    ImGui::TextWrapped("%s", v.facts[i].c_str());
    if (ImGui::IsItemHovered() && !v.fact_fields[i].empty()) ui.hovered_path = v.fact_fields[i].front();
  }
  ImGui::EndChild();
}

}  // namespace shmscope::inspect
