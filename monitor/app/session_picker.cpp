#include "app/session_picker.hpp"

#include <imgui.h>

#include <imgui_stdlib.h>

#include "shmipc/clock.hpp"
#include "shmipc/session_name.hpp"

namespace shmscope {

void SessionPicker::refresh_if_old() {
  const std::uint64_t now = shmipc::monotonic_ns();
  // Listing opens every segment in /dev/shm: once a second is plenty while the menu is open.
  if (refreshed_ns_ != 0 && now - refreshed_ns_ < 1'000'000'000) return;
  refreshed_ns_ = now;
  try {
    sessions_ = shmipc::list_sessions();
    problem_.clear();
  } catch (const std::exception& e) {
    sessions_.clear();
    problem_ = e.what();
  }
}

void SessionPicker::draw(const std::string& current, std::vector<ActionRequest>& actions) {
  if (!ImGui::BeginMenu("Sessions")) {
    refreshed_ns_ = 0;  // list afresh the next time the menu opens
    return;
  }
  refresh_if_old();
  if (!problem_.empty()) ImGui::TextDisabled("%s", problem_.c_str());
  if (sessions_.empty() && problem_.empty()) ImGui::TextDisabled("no sessions in /dev/shm");
  for (const auto& s : sessions_) {
    std::string state;
    if (s.foreign) {
      state = "foreign: " + s.problem;
    } else if (s.stale) {
      state = "stale (nobody alive)";
    } else {
      state = std::string("parent ") + (s.parent_alive ? "alive" : "-") + ", child " +
              (s.child_alive ? "alive" : "-");
    }
    const bool selected = s.name == current;
    if (ImGui::MenuItem(s.name.c_str(), state.c_str(), selected, !s.foreign)) {
      ActionRequest r;
      r.kind = ActionRequest::Kind::Attach;
      r.text = s.name;
      actions.push_back(std::move(r));
    }
  }
  ImGui::Separator();
  if (ImGui::BeginMenu("New session as parent")) {
    // The window itself becomes the parent of a new session (Act panel: "Start session as parent").
    ImGui::SetNextItemWidth(200);
    const bool enter = ImGui::InputText("name", &new_name_, ImGuiInputTextFlags_EnterReturnsTrue);
    const auto problem = shmipc::session_name_problem(new_name_);
    if (problem) ImGui::TextDisabled("%s", problem->c_str());
    if ((ImGui::MenuItem("Start", nullptr, false, !problem) || (enter && !problem))) {
      ActionRequest r;
      r.kind = ActionRequest::Kind::StartAsParent;
      r.text = new_name_;
      actions.push_back(std::move(r));
    }
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Any program's segment")) {
    segments_menu_.draw_items();
    ImGui::EndMenu();
  } else {
    segments_menu_.closed();
  }
  ImGui::EndMenu();
}

}  // namespace shmscope
