// A Dear ImGui context with no window: frames build draw lists and stop there. For the panel
// tests and `shmscope --frame-timing`, which draw panels without a display.
#pragma once

#include <imgui.h>

namespace shmscope {

class HeadlessImGui {
 public:
  explicit HeadlessImGui(ImVec2 display_size);
  ~HeadlessImGui();
  HeadlessImGui(const HeadlessImGui&) = delete;
  HeadlessImGui& operator=(const HeadlessImGui&) = delete;

 private:
  ImGuiContext* ctx_ = nullptr;
};

}  // namespace shmscope
