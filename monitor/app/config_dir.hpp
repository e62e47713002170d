// Where shmscope keeps imgui.ini and the window size: $XDG_CONFIG_HOME/shmscope, or
// ~/.config/shmscope (the XDG base directory rule).
#pragma once

#include <string>

namespace shmscope {

// Creates the directory (and parents) if needed; returns "" if it cannot be created, in
// which case nothing is persisted (the app still runs).
std::string config_dir();

struct WindowGeometry {
  int width = 1440;
  int height = 900;
};

WindowGeometry load_window_geometry(const std::string& dir);
void save_window_geometry(const std::string& dir, const WindowGeometry& g);

// --reset-layout: forgets imgui.ini (panel state) and the window size kept in `dir`.
void forget_layout(const std::string& dir);

}  // namespace shmscope
