// A menu of every object in /dev/shm (size, owner); picking one opens `shmscope --segment NAME`
// in a window of its own. Shared by the protocol monitor's Sessions menu and the segment window.
#pragma once

#include <cstdint>
#include <vector>

#include "shminspect/segments.hpp"

namespace shmscope::inspect {

class SegmentMenu {
 public:
  // Draws the items inside an open menu. The list reads /proc/*/maps: refreshed at most once
  // a second while the menu is open, and afresh each time it opens.
  void draw_items();
  void closed() { refreshed_ns_ = 0; }

 private:
  std::vector<shminspect::SegmentInfo> segments_;
  std::uint64_t refreshed_ns_ = 0;
};

}  // namespace shmscope::inspect
