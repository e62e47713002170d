// The menu bar's Record button: starts and stops a LiveRecording of the watched session and
// shows its file, size and records while it runs, then where the file went (or why not).
#pragma once

#include <memory>
#include <string>

#include "replay/live_recording.hpp"

namespace shmscope {

struct RecordButton {
  std::unique_ptr<LiveRecording> recording;
  std::string chosen_path;  // --record-to / File > Record to; empty: a new file in the data dir
  std::string message;      // the last outcome ("saved ...", or why it could not start)
  bool failed = false;

  // Draws the button (and the recording's state) on the current line of the menu bar.
  void draw(const std::string& session);
  void start(const std::string& session);
  void finish();
};

}  // namespace shmscope
