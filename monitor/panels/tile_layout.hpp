// Default window placement as fractions of the main viewport's work area, so a layout
// designed at one size holds at any size. Shared by the normal and the classroom layouts.
#pragma once

#include <imgui.h>

namespace shmscope {

struct Tile {
  float x, y, w, h;
};

inline void place_tile(const Tile& t, ImGuiCond cond) {
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  const ImVec2 o = vp->WorkPos;
  const ImVec2 s = vp->WorkSize;
  ImGui::SetNextWindowPos(ImVec2(o.x + t.x * s.x, o.y + t.y * s.y), cond);
  ImGui::SetNextWindowSize(ImVec2(t.w * s.x, t.h * s.y), cond);
}

}  // namespace shmscope
