#include "app/config_dir.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace shmscope {

std::string config_dir() {
  namespace fs = std::filesystem;
  fs::path base;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && xdg[0] == '/') {
    base = xdg;
  } else if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0') {
    base = fs::path(home) / ".config";
  } else {
    return "";
  }
  const fs::path dir = base / "shmscope";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir, ec)) return "";
  return dir.string();
}

WindowGeometry load_window_geometry(const std::string& dir) {
  WindowGeometry g;
  if (dir.empty()) return g;
  std::ifstream in(dir + "/window.txt");
  int w = 0, h = 0;
  // A hand-edited or truncated file must not give a zero or absurd window.
  if (in >> w >> h && w >= 320 && h >= 240 && w <= 16384 && h <= 16384) {
    g.width = w;
    g.height = h;
  }
  return g;
}

void save_window_geometry(const std::string& dir, const WindowGeometry& g) {
  if (dir.empty()) return;
  std::ofstream out(dir + "/window.txt", std::ios::trunc);
  out << g.width << ' ' << g.height << '\n';
}

void forget_layout(const std::string& dir) {
  if (dir.empty()) return;
  std::remove((dir + "/imgui.ini").c_str());
  std::remove((dir + "/window.txt").c_str());
}

}  // namespace shmscope
