#include "app/screenshot.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "app/window.hpp"
#include "shmscope_gl.hpp"

// The one translation unit with stb_image_write's implementation; static so it cannot clash
// with the copy in libstb.so.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#include <stb_image_write.h>

namespace shmscope {

std::string write_framebuffer_png(const std::string& path, int width, int height) {
  if (width <= 0 || height <= 0) return "the framebuffer is empty";
  const std::size_t stride = static_cast<std::size_t>(width) * 4;
  std::vector<unsigned char> pixels(stride * static_cast<std::size_t>(height));
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
  if (glGetError() != GL_NO_ERROR) return "glReadPixels failed";
  // OpenGL's rows start at the bottom; PNG's at the top.
  std::vector<unsigned char> flipped(pixels.size());
  for (int y = 0; y < height; ++y) {
    std::memcpy(flipped.data() + static_cast<std::size_t>(y) * stride,
                pixels.data() + static_cast<std::size_t>(height - 1 - y) * stride, stride);
  }
  // The clear colour is opaque, but ImGui blends alpha into the buffer: force opaque.
  for (std::size_t i = 3; i < flipped.size(); i += 4) flipped[i] = 255;
  errno = 0;
  if (stbi_write_png(path.c_str(), width, height, 4, flipped.data(), static_cast<int>(stride)) ==
      0) {
    return "cannot write " + path + (errno != 0 ? std::string(": ") + std::strerror(errno) : "");
  }
  return "";
}

bool write_window_screenshot(const AppWindow& window, const std::string& path) {
  int w = 0, h = 0;
  window.framebuffer_size(w, h);
  const std::string problem = write_framebuffer_png(path, w, h);
  if (problem.empty()) return true;
  std::fprintf(stderr, "shmscope --screenshot: %s\n", problem.c_str());
  return false;
}

}  // namespace shmscope
