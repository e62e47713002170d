// Where the live layout's panels go. Computed from the window's size on the first frame, after
// every change of the window's size and after the classroom, unless the user has moved or
// resized a panel in the live layout: then their arrangement is kept (brought back after the
// classroom, and pulled back inside a window that shrank) until "Reset layout".
#pragma once

#include <map>
#include <string>

namespace shmscope {

struct PanelRect {
  float x = 0, y = 0, w = 0, h = 0;
};

struct LiveLayoutState {
  bool user_arranged = false;
  bool relayout = true;  // next live frame places every panel (start, Reset layout, classroom)
  float work_x = 0, work_y = 0, work_w = 0, work_h = 0;  // the work area last laid out for
  std::map<std::string, PanelRect> placed;  // what the layout set, per window name
  std::map<std::string, PanelRect> user;    // the user's arrangement, once there is one

  void reset() {
    user_arranged = false;
    user.clear();
    relayout = true;
  }
};

}  // namespace shmscope
