// What is in /dev/shm: each object the user may see, with size, owner, mode, age, and which
// live processes map it (from /proc/*/maps, where permitted).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace shminspect {

struct MappingProcess {
  pid_t pid = 0;
  std::string command;  // /proc/PID/comm
};

struct SegmentInfo {
  std::string name;  // as shm_open takes it (no "/dev/shm/")
  std::string path;
  std::uint64_t size = 0;
  uid_t owner_uid = 0;
  std::string owner;  // user name, or the uid as text
  mode_t mode = 0;    // permission bits
  double age_seconds = 0;  // since the last modification (st_mtime)
  bool readable = false;   // the user may open it O_RDONLY
  std::vector<MappingProcess> mapped_by;
  int unreadable_processes = 0;  // processes whose maps we could not read (permission)
};

// Sorted by name. `dir` is for tests; /dev/shm by default.
std::vector<SegmentInfo> list_segments(const std::string& dir = "/dev/shm");

std::string format_mode(mode_t mode);  // "rw-r-----"
std::string format_segments_text(const std::vector<SegmentInfo>& segments);

}  // namespace shminspect
