// The GLFW window with an OpenGL 3.3 core context and Dear ImGui on top of it.
#pragma once

#include <memory>
#include <string>

struct GLFWwindow;

namespace shmscope {

class AppWindow {
 public:
  // Returns nullptr with `error` filled when there is no display or no OpenGL 3.3.
  static std::unique_ptr<AppWindow> open(const std::string& title, int width, int height,
                                         const std::string& imgui_ini_path, float scale,
                                         std::string& error);
  ~AppWindow();
  AppWindow(const AppWindow&) = delete;
  AppWindow& operator=(const AppWindow&) = delete;

  bool should_close() const;
  void set_title(const std::string& title);
  // Processes pending events; waits up to `timeout_s` for one when > 0 (idle waiting).
  void pump_events(double timeout_s);
  // True once if any input (mouse, key, resize, focus, a request to redraw) arrived since the
  // last call.
  bool take_input_seen();
  // Ends a pump_events wait early; callable from any thread.
  static void wake();

  void begin_frame();
  void end_frame();  // renders ImGui into the back buffer (not yet shown)
  void present();    // swaps buffers
  // A --frames run must not overwrite the user's saved layout: it reads imgui.ini only.
  void keep_layout_unsaved();
  void framebuffer_size(int& w, int& h) const;
  void window_size(int& w, int& h) const;

 private:
  AppWindow() = default;
  GLFWwindow* window_ = nullptr;
  std::string ini_path_;  // ImGui keeps a pointer to it
  bool imgui_glfw_ = false;
  bool imgui_gl_ = false;
};

}  // namespace shmscope
