// Presentation mode and the diagram PNG: the two classroom features that need the GL
// context (a new font atlas texture; pixels read back from the frame).
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "app/classroom_link.hpp"
#include "shmscope_gl.hpp"

#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>
#include <imgui_internal.h>

// A second, private copy of stb_image_write (screenshot.cpp has the other): static, so the
// two cannot clash, and this file needs nothing from that one.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#include <stb_image_write.h>

#include "ui/palette.hpp"

namespace shmscope {

namespace {


void rebuild_fonts(float scale) {
  ImGuiIO& io = ImGui::GetIO();
  // Before the renderer's first frame it has no texture yet and builds one from the atlas.
  const bool has_texture = io.Fonts->TexID != nullptr;
  io.Fonts->Clear();
  add_monitor_font(scale);
  if (!has_texture) return;
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
}

}  // namespace

float presentation_factor(int w, int h) {
  const float fit = std::min(static_cast<float>(w) / 1280.0f, static_cast<float>(h) / 720.0f);
  return std::clamp(1.3f * fit, 1.2f, 1.8f);
}

void apply_presentation(bool on, float base_scale, float factor) {
  const float scale = on ? base_scale * factor : base_scale;
  apply_monitor_style(scale);
  if (on) {
    // High contrast for a washed-out projector: black ground, white text, bright frames.
    ImGuiStyle& s = ImGui::GetStyle();
    s.Colors[ImGuiCol_WindowBg] = ImVec4(0, 0, 0, 1);
    s.Colors[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 1);
    s.Colors[ImGuiCol_Text] = ImVec4(1, 1, 1, 1);
    s.Colors[ImGuiCol_Border] = ImVec4(0.85f, 0.85f, 0.85f, 1);
    s.Colors[ImGuiCol_TitleBg] = ImVec4(0.10f, 0.10f, 0.10f, 1);
    s.Colors[ImGuiCol_TitleBgActive] = ImVec4(0.20f, 0.20f, 0.20f, 1);
    s.Colors[ImGuiCol_FrameBg] = ImVec4(0.18f, 0.18f, 0.18f, 1);
    s.Colors[ImGuiCol_Button] = ImVec4(0.25f, 0.25f, 0.30f, 1);
    s.WindowBorderSize = 2;
    s.FrameBorderSize = 1;
  }
  rebuild_fonts(scale);
}

std::string write_window_png(const std::string& path, const char* window_name) {
  ImGuiWindow* w = ImGui::FindWindowByName(window_name);
  if (w == nullptr || !w->WasActive)
    return std::string("the ") + window_name + " window is not shown";
  const ImGuiIO& io = ImGui::GetIO();
  const float sx = io.DisplayFramebufferScale.x, sy = io.DisplayFramebufferScale.y;
  const int fb_h = static_cast<int>(io.DisplaySize.y * sy);
  const int fb_w = static_cast<int>(io.DisplaySize.x * sx);
  int x0 = static_cast<int>(w->Pos.x * sx), y0 = static_cast<int>(w->Pos.y * sy);
  int x1 = static_cast<int>((w->Pos.x + w->Size.x) * sx);
  int y1 = static_cast<int>((w->Pos.y + w->Size.y) * sy);
  x0 = std::max(0, x0);
  y0 = std::max(0, y0);
  x1 = std::min(fb_w, x1);
  y1 = std::min(fb_h, y1);
  const int width = x1 - x0, height = y1 - y0;
  if (width <= 0 || height <= 0) return "the window is outside the frame";
  const std::size_t stride = static_cast<std::size_t>(width) * 4;
  std::vector<unsigned char> pixels(stride * static_cast<std::size_t>(height));
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  // OpenGL's rows count from the bottom of the framebuffer.
  glReadPixels(x0, fb_h - y1, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
  if (glGetError() != GL_NO_ERROR) return "glReadPixels failed";
  std::vector<unsigned char> flipped(pixels.size());
  for (int y = 0; y < height; ++y) {
    std::memcpy(flipped.data() + static_cast<std::size_t>(y) * stride,
                pixels.data() + static_cast<std::size_t>(height - 1 - y) * stride, stride);
  }
  for (std::size_t i = 3; i < flipped.size(); i += 4) flipped[i] = 255;
  errno = 0;
  if (stbi_write_png(path.c_str(), width, height, 4, flipped.data(), static_cast<int>(stride)) == 0)
    return "cannot write " + path + (errno != 0 ? std::string(": ") + std::strerror(errno) : "");
  return "";
}

}  // namespace shmscope
