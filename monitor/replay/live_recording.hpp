// The monitor's Record button: records the watched session to a file with the rec library's
// RecordingThread (the Recorder on a thread of its own; the frame loop never waits for it).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace shmrecord {
class RecordingThread;
}

namespace shmscope {

class LiveRecording {
 public:
  // Creates the file (and its directory) and starts recording. Throws (shmipc::Error,
  // std::filesystem_error) with a message naming what failed. A session that cannot be opened
  // ends the recording at once: running() turns false and error() says why.
  LiveRecording(const std::string& session, const std::string& path);
  ~LiveRecording();  // stop()
  LiveRecording(const LiveRecording&) = delete;
  LiveRecording& operator=(const LiveRecording&) = delete;

  // Finishes the file (end marker) and joins the thread. Idempotent.
  void stop();
  // False once stopped, or once the session went away (the file is finished then too).
  bool running() const;
  const std::string& path() const { return path_; }
  std::uint64_t bytes() const;    // written so far
  std::uint64_t records() const;  // journal records recorded so far
  std::uint64_t lost() const;     // journal records lost to the ring so far
  const std::string& error() const { return error_; }  // after stop(): what went wrong

 private:
  std::string path_;
  std::unique_ptr<shmrecord::RecordingThread> thread_;
  std::string error_;
  bool stopped_ = false;
};

// Where the Record button saves when no path was chosen:
// $XDG_DATA_HOME/shmscope/recordings/SESSION-YYYYmmdd-HHMMSS.shmrec (~/.local/share if unset).
std::string default_recording_path(const std::string& session);

// "1.2 MB", "340 KB", "12 bytes"
std::string size_text(std::uint64_t bytes);

}  // namespace shmscope
