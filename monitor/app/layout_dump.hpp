// --layout-dump FILE: the recorded widget rectangles as text, rewritten (atomically, by
// rename) after every frame drawn, so a test can wait for a widget and click its centre, and
// count the frames.
#pragma once

#include <string>

namespace shmscope {

class LayoutDump {
 public:
  explicit LayoutDump(std::string path) : path_(std::move(path)) {}
  void write_if_changed();

 private:
  std::string path_;
  std::string last_;
};

}  // namespace shmscope
