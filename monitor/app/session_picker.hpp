// The "Sessions" menu: every session found in /dev/shm with its state, one click to attach.
#pragma once

#include <cstdint>
#include <vector>

#include "inspect/app/segment_menu.hpp"
#include "shmipc/session.hpp"
#include "ui/action_request.hpp"

namespace shmscope {

class SessionPicker {
 public:
  // Draws the menu inside the main menu bar; appends an Attach request when one is picked.
  void draw(const std::string& current, std::vector<ActionRequest>& actions);

 private:
  void refresh_if_old();
  std::vector<shmipc::SessionInfo> sessions_;
  std::string problem_;
  std::uint64_t refreshed_ns_ = 0;
  inspect::SegmentMenu segments_menu_;  // any program's segment, in a window of its own
  std::string new_name_ = "lab";  // Sessions > New session as parent
};

}  // namespace shmscope
