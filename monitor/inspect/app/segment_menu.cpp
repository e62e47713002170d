#include "inspect/app/segment_menu.hpp"

#include <imgui.h>

#include "inspect/app/inspect_app.hpp"
#include "shmipc/clock.hpp"

namespace shmscope::inspect {

void SegmentMenu::draw_items() {
  const std::uint64_t now = shmipc::monotonic_ns();
  if (refreshed_ns_ == 0 || now - refreshed_ns_ >= 1'000'000'000) {
    refreshed_ns_ = now;
    segments_ = shminspect::list_segments();
  }
  if (segments_.empty()) ImGui::TextDisabled("/dev/shm is empty");
  for (const auto& s : segments_) {
    std::string detail = std::to_string(s.size) + " bytes, " + s.owner;
    if (!s.mapped_by.empty()) detail += ", mapped by " + s.mapped_by.front().command;
    if (ImGui::MenuItem(s.name.c_str(), detail.c_str(), false, s.readable)) open_segment_window(s.name);
    if (!s.readable && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
      ImGui::SetTooltip("you may not read it (owner %s, mode %s)", s.owner.c_str(),
                        shminspect::format_mode(s.mode).c_str());
    }
  }
}

}  // namespace shmscope::inspect
