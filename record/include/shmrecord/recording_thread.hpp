// A recording running on a thread of its own, for programs that do other things meanwhile:
// the monitor's Record button, `shmipc scenario --record`. It creates the file, waits for the
// session if asked, records until stop() or until the session goes away, and keeps a copy of
// the recorder's counts that any thread may read.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "shmrecord/recorder.hpp"

namespace shmrecord {

class RecordingThread {
 public:
  // Creates (truncates) `path` at once (throws shmipc::Error(System) if it cannot); the thread
  // then opens the session, waiting for it to appear when `wait_for_session`.
  RecordingThread(std::string session, std::string path, bool wait_for_session = false,
                  RecorderOptions options = {});
  ~RecordingThread();  // stop(), without throwing
  RecordingThread(const RecordingThread&) = delete;
  RecordingThread& operator=(const RecordingThread&) = delete;

  // Still recording (false once the session went away, the recording failed, or stop()).
  bool running() const noexcept;
  RecorderStats stats() const;
  const std::string& path() const noexcept { return path_; }

  // Ends the recording (end marker written, file closed) and returns why it ended. Throws
  // shmipc::Error if it failed (the session never appeared while waiting is not a failure:
  // EndReason::Stopped, and the file holds no recording). Idempotent.
  EndReason stop();

 private:
  std::string session_;
  std::string path_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<bool> running_{true};
  mutable std::mutex mutex_;
  RecorderStats stats_;
  EndReason reason_ = EndReason::Stopped;
  std::string error_;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace shmrecord
