#include "ui/headless_imgui.hpp"

namespace shmscope {

HeadlessImGui::HeadlessImGui(ImVec2 display_size) {
  IMGUI_CHECKVERSION();
  ctx_ = ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = display_size;
  io.DeltaTime = 1.0f / 60.0f;
  io.IniFilename = nullptr;
  // The font atlas must be built before the first frame, as a renderer backend would.
  unsigned char* pixels = nullptr;
  int w = 0, h = 0;
  io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
}

HeadlessImGui::~HeadlessImGui() {
  ImGui::DestroyContext(ctx_);
}

}  // namespace shmscope
