// Writes what was just rendered into the back buffer as a PNG (for tests and docs/img/).
#pragma once

#include <string>

namespace shmscope {

// Reads the current framebuffer (width x height) with glReadPixels; call after rendering
// and before swapping. Returns "" on success, else why it failed.
std::string write_framebuffer_png(const std::string& path, int width, int height);

class AppWindow;
// --screenshot: the whole window's framebuffer to `path`, or a message on stderr; false if
// it failed.
bool write_window_screenshot(const AppWindow& window, const std::string& path);

}  // namespace shmscope
