// What the user must know before trusting the values: which segment, which layout from where,
// whether the sizes agree, whether it was recreated, shrunk or removed, whether copies were
// consistent, and how often it is sampled.
#include <imgui.h>

#include <cstdio>

#include "inspect/inspect_views.hpp"
#include "ui/palette.hpp"

namespace shmscope::inspect {

std::vector<StatusLine> make_segment_status(const InspectModel& model, std::uint64_t now_ns) {
  std::vector<StatusLine> out;
  const shminspect::Layout& layout = model.layout();
  const shminspect::Sample& s = model.latest_sample();
  char buf[256];
  out.push_back({model.segment_label() + "  as  " + layout.type_name + "  (" + layout.source + ")", false});
  if (!layout.build_id.empty()) out.push_back({"build-id " + layout.build_id, false});
  if (!s.present) {
    out.push_back({model.samples() == 0 ? "waiting for the first sample"
                                        : "the segment is gone: " + s.message,
                   model.samples() != 0});
  } else {
    std::snprintf(buf, sizeof buf, "segment %llu bytes, inode %llu; sizeof(%s) = %llu",
                  static_cast<unsigned long long>(s.segment_size), static_cast<unsigned long long>(s.inode),
                  layout.type_name.c_str(), static_cast<unsigned long long>(layout.size));
    out.push_back({buf, false});
    if (s.segment_size < layout.size) {
      out.push_back({"the segment is smaller than the type: fields past byte " +
                         std::to_string(s.segment_size) + " are not shown",
                     true});
    } else if (s.segment_size > layout.size) {
      out.push_back({"the segment is larger than the type by " +
                         std::to_string(s.segment_size - layout.size) + " bytes",
                     false});
    }
    std::uint64_t sampled = 0;
    for (const auto& r : s.sampled) sampled += r.size;
    if (sampled < s.segment_size) {
      out.push_back({"large segment: sampling " + std::to_string(sampled) + " of " +
                         std::to_string(s.segment_size) + " bytes (the layout's fields)",
                     true});
    }
  }
  std::snprintf(buf, sizeof buf, "%llu samples, %.0f per second; %llu copies inconsistent%s",
                static_cast<unsigned long long>(model.samples()), model.sample_rate(),
                static_cast<unsigned long long>(model.inconsistent_samples()),
                s.present && !s.consistent ? " (the newest is: bytes in flux)" : "");
  out.push_back({buf, s.present && !s.consistent});
  if (model.last_change_ns() != 0) {
    std::snprintf(buf, sizeof buf, "last change %.2f s ago",
                  static_cast<double>(now_ns - std::min(now_ns, model.last_change_ns())) * 1e-9);
    out.push_back({buf, false});
  }
  for (const auto& note : layout.notes) out.push_back({note, false});
  for (const auto& note : model.notes()) {
    std::snprintf(buf, sizeof buf, "%.1f s ago: ", static_cast<double>(now_ns - std::min(now_ns, note.time_ns)) * 1e-9);
    out.push_back({buf + note.text, true});
  }
  return out;
}

void draw_segment_status(const InspectModel& model, InspectUi& ui, InspectActions&) {
  for (const auto& line : make_segment_status(model, ui.now_ns)) {
    if (line.warning) {
      ImGui::TextColored(colour_vec4(UiColour::Contended), "%s", line.text.c_str());
    } else {
      ImGui::TextUnformatted(line.text.c_str());
    }
  }
}

}  // namespace shmscope::inspect
