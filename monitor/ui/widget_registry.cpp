#include "ui/widget_registry.hpp"

#include <imgui.h>

namespace shmscope {
namespace {

std::map<std::string, WidgetRect, std::less<>>& registry() {
  static std::map<std::string, WidgetRect, std::less<>> widgets;
  return widgets;
}

}  // namespace

void record_widget(std::string_view name) {
  if (ImGui::GetCurrentContext() == nullptr) return;
  const ImVec2 min = ImGui::GetItemRectMin();
  const ImVec2 max = ImGui::GetItemRectMax();
  auto& widgets = registry();
  auto it = widgets.find(name);
  if (it == widgets.end()) it = widgets.emplace(std::string(name), WidgetRect{}).first;
  it->second = WidgetRect{min.x, min.y, max.x, max.y, ImGui::GetFrameCount()};
}

const std::map<std::string, WidgetRect, std::less<>>& recorded_widgets() {
  return registry();
}

void clear_recorded_widgets() {
  registry().clear();
}

}  // namespace shmscope
