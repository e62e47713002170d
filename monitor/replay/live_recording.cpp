#include "replay/live_recording.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "shmrecord/recording_thread.hpp"

namespace shmscope {

LiveRecording::LiveRecording(const std::string& session, const std::string& path) : path_(path) {
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir);  // throws filesystem_error
  thread_ = std::make_unique<shmrecord::RecordingThread>(session, path);
}

LiveRecording::~LiveRecording() {
  stop();
}

void LiveRecording::stop() {
  if (stopped_) return;
  stopped_ = true;
  try {
    thread_->stop();
  } catch (const std::exception& e) {
    error_ = e.what();
  }
}

bool LiveRecording::running() const {
  return !stopped_ && thread_->running();
}

std::uint64_t LiveRecording::bytes() const {
  struct stat st {};
  // The file's size: what reached the disk, also before the first progress report.
  if (::stat(path_.c_str(), &st) != 0) return thread_->stats().bytes_written;
  return static_cast<std::uint64_t>(st.st_size);
}

std::uint64_t LiveRecording::records() const {
  return thread_->stats().records;
}

std::uint64_t LiveRecording::lost() const {
  return thread_->stats().lost;
}

std::string default_recording_path(const std::string& session) {
  std::string base;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && xdg[0] == '/') {
    base = xdg;
  } else if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0') {
    base = std::string(home) + "/.local/share";
  } else {
    base = "/tmp";
  }
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::tm tm {};
  ::localtime_r(&now, &tm);
  std::strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
  return base + "/shmscope/recordings/" + session + "-" + stamp + ".shmrec";
}

std::string size_text(std::uint64_t bytes) {
  char buf[32];
  if (bytes >= 1'000'000) {
    std::snprintf(buf, sizeof(buf), "%.1f MB", static_cast<double>(bytes) / 1e6);
  } else if (bytes >= 1000) {
    std::snprintf(buf, sizeof(buf), "%.0f KB", static_cast<double>(bytes) / 1e3);
  } else {
    std::snprintf(buf, sizeof(buf), "%llu bytes", static_cast<unsigned long long>(bytes));
  }
  return buf;
}

}  // namespace shmscope
