#include "shmrecord/recording_thread.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "shmipc/error.hpp"

namespace shmrecord {

RecordingThread::RecordingThread(std::string session, std::string path, bool wait_for_session,
                                 RecorderOptions options)
    : session_(std::move(session)), path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) shmipc::throw_errno("cannot create " + path_, errno);
  auto user_progress = options.progress;
  options.progress = [this, user_progress](const RecorderStats& s) {
    {
      std::lock_guard lock(mutex_);
      stats_ = s;
    }
    if (user_progress) user_progress(s);
  };
  thread_ = std::thread([this, wait_for_session, options] {
    try {
      std::unique_ptr<Recorder> recorder;
      while (!recorder && !stop_.load()) {
        try {
          recorder = std::make_unique<Recorder>(session_, fd_, options);
        } catch (const shmipc::Error& e) {
          // A creator sizes its segment right after creating it: retried like a missing one.
          const bool not_yet = e.code() == shmipc::ErrorCode::NotFound ||
                               e.code() == shmipc::ErrorCode::Untrusted;
          if (!wait_for_session || !not_yet) throw;
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
      }
      if (recorder) {
        const EndReason reason = recorder->run(stop_);
        std::lock_guard lock(mutex_);
        reason_ = reason;
        stats_ = recorder->stats();
      }
    } catch (const std::exception& e) {
      std::lock_guard lock(mutex_);
      error_ = e.what();
    }
    running_.store(false);
  });
}

RecordingThread::~RecordingThread() {
  try {
    stop();
  } catch (...) {  // reported by stop() to whoever calls it; a destructor stays quiet
  }
}

bool RecordingThread::running() const noexcept { return running_.load(); }

RecorderStats RecordingThread::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

EndReason RecordingThread::stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  if (!stopped_) {
    stopped_ = true;
    if (fd_ >= 0 && ::close(fd_) != 0 && error_.empty())
      error_ = "closing " + path_ + ": " + std::strerror(errno);
    fd_ = -1;
  }
  if (!error_.empty())
    throw shmipc::Error(shmipc::ErrorCode::System, "recording " + path_ + " failed: " + error_);
  return reason_;
}

}  // namespace shmrecord
