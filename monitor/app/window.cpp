#include "app/window.hpp"
#include "ui/palette.hpp"

#include <atomic>
#include <filesystem>

#include "shmscope_gl.hpp"  // the only GL include; before GLFW so it sees no second loader
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

namespace shmscope {
namespace {

// GLFW callbacks are plain functions; there is one window per process.
std::atomic<bool> g_input_seen{false};
std::string g_glfw_error;

void note_input() {
  g_input_seen.store(true, std::memory_order_relaxed);
}
void on_glfw_error(int code, const char* description) {
  g_glfw_error = "GLFW error " + std::to_string(code) + ": " + (description ? description : "");
}
void on_cursor(GLFWwindow*, double, double) {
  note_input();
}
void on_button(GLFWwindow*, int, int, int) {
  note_input();
}
void on_scroll(GLFWwindow*, double, double) {
  note_input();
}
void on_key(GLFWwindow*, int, int, int, int) {
  note_input();
}
void on_char(GLFWwindow*, unsigned int) {
  note_input();
}
void on_focus(GLFWwindow*, int) {
  note_input();
}
void on_size(GLFWwindow*, int, int) {
  note_input();
}
void on_enter(GLFWwindow*, int) {
  note_input();
}
void on_refresh(GLFWwindow*) {
  note_input();
}

void load_fonts(float scale) { add_monitor_font(scale); }

}  // namespace

std::unique_ptr<AppWindow> AppWindow::open(const std::string& title, int width, int height,
                                           const std::string& imgui_ini_path, float scale,
                                           std::string& error) {
  glfwSetErrorCallback(on_glfw_error);
  if (glfwInit() != GLFW_TRUE) {
    error = g_glfw_error.empty() ? "glfwInit failed" : g_glfw_error;
    return nullptr;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  GLFWwindow* window = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
  if (window == nullptr) {
    error = g_glfw_error.empty() ? "glfwCreateWindow failed" : g_glfw_error;
    glfwTerminate();
    return nullptr;
  }
  std::unique_ptr<AppWindow> self(new AppWindow());
  self->window_ = window;
  glfwMakeContextCurrent(window);
  glfwSwapInterval(1);  // render at the display rate, not as fast as the GPU allows

  // Installed before ImGui's backend, which chains to them: we only note that input arrived.
  glfwSetCursorPosCallback(window, on_cursor);
  glfwSetMouseButtonCallback(window, on_button);
  glfwSetScrollCallback(window, on_scroll);
  glfwSetKeyCallback(window, on_key);
  glfwSetCharCallback(window, on_char);
  glfwSetWindowFocusCallback(window, on_focus);
  glfwSetWindowSizeCallback(window, on_size);
  glfwSetCursorEnterCallback(window, on_enter);
  // Uncovered or damaged: the idle loop draws nothing on its own, so it must redraw now.
  glfwSetWindowRefreshCallback(window, on_refresh);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  self->ini_path_ = imgui_ini_path;
  io.IniFilename = self->ini_path_.empty() ? nullptr : self->ini_path_.c_str();
  ImGui::StyleColorsDark();
  ImGui::GetStyle().ScaleAllSizes(scale);
  load_fonts(scale);
  self->imgui_glfw_ = ImGui_ImplGlfw_InitForOpenGL(window, true);
  self->imgui_gl_ = ImGui_ImplOpenGL3_Init("#version 330");
  if (!self->imgui_glfw_ || !self->imgui_gl_) {
    error = "Dear ImGui could not initialise its GLFW/OpenGL 3 backends";
    return nullptr;
  }
  return self;
}

AppWindow::~AppWindow() {
  if (imgui_gl_) ImGui_ImplOpenGL3_Shutdown();
  if (imgui_glfw_) ImGui_ImplGlfw_Shutdown();
  if (ImGui::GetCurrentContext() != nullptr) ImGui::DestroyContext();
  if (window_ != nullptr) glfwDestroyWindow(window_);
  glfwTerminate();
}

bool AppWindow::should_close() const {
  return glfwWindowShouldClose(window_) == GLFW_TRUE;
}

void AppWindow::set_title(const std::string& title) {
  glfwSetWindowTitle(window_, title.c_str());
}

void AppWindow::pump_events(double timeout_s) {
  if (timeout_s > 0) {
    glfwWaitEventsTimeout(timeout_s);
  } else {
    glfwPollEvents();
  }
}

void AppWindow::wake() {
  glfwPostEmptyEvent();
}

bool AppWindow::take_input_seen() {
  return g_input_seen.exchange(false);
}

void AppWindow::begin_frame() {
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();
}

void AppWindow::end_frame() {
  ImGui::Render();
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  glViewport(0, 0, w, h);
  glClearColor(0.08f, 0.09f, 0.11f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

void AppWindow::present() {
  glfwSwapBuffers(window_);
}

void AppWindow::keep_layout_unsaved() {
  if (ImGui::GetCurrentContext() != nullptr) ImGui::GetIO().IniFilename = nullptr;
}

void AppWindow::framebuffer_size(int& w, int& h) const {
  glfwGetFramebufferSize(window_, &w, &h);
}

void AppWindow::window_size(int& w, int& h) const {
  glfwGetWindowSize(window_, &w, &h);
}

}  // namespace shmscope
