#include "app/block_watcher.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>

#include "shmipc/block.hpp"

namespace shmscope {

namespace {

// Each poll is a thread wake-up, the dearest part on a VM: 40 a second keep a change within
// about a frame and a half of the screen for ~0.2% of a CPU.
constexpr auto kPollPeriod = std::chrono::milliseconds(25);
constexpr auto kReopenPeriod = std::chrono::milliseconds(500);
constexpr off_t kJournalNextOffset =
    offsetof(shmipc::Block, journal) + offsetof(shmipc::JournalRing, next);

class SegmentFile {
 public:
  ~SegmentFile() { close(); }
  bool open(const std::string& session) {
    close();
    fd_ = ::open(("/dev/shm/shmscope." + session).c_str(), O_RDONLY | O_CLOEXEC);
    return fd_ >= 0;
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool is_open() const { return fd_ >= 0; }
  // The journal's counter, or false if the segment is too short (or gone) to hold it.
  bool read_next(std::uint64_t& next) const {
    return ::pread(fd_, &next, sizeof next, kJournalNextOffset) ==
           static_cast<ssize_t>(sizeof next);
  }

 private:
  int fd_ = -1;
};

}  // namespace

BlockWatcher::BlockWatcher(std::function<void()> wake)
    : wake_(std::move(wake)), thread_([this] { run(); }) {}

BlockWatcher::~BlockWatcher() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  thread_.join();
}

void BlockWatcher::watch(const std::string& session) {
  std::lock_guard lock(mutex_);
  session_ = session;
}

std::uint64_t BlockWatcher::wakes() const {
  std::lock_guard lock(mutex_);
  return wakes_;
}

void BlockWatcher::run() {
  SegmentFile file;
  std::string watched;
  std::uint64_t last_next = 0;
  bool known = false;
  auto next_open = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  while (!stop_) {
    if (session_ != watched) {
      watched = session_;
      file.close();
      known = false;
      next_open = std::chrono::steady_clock::now();
    }
    const std::string session = watched;
    lock.unlock();
    const auto now = std::chrono::steady_clock::now();
    bool wake = false;
    if (!file.is_open() && !session.empty() && now >= next_open) {
      // A session that appears (or is rebuilt) is a change the loop must see at once.
      if (file.open(session)) {
        known = false;
        wake = true;
      }
      next_open = now + kReopenPeriod;
    }
    std::uint64_t next = 0;
    if (file.is_open()) {
      if (!file.read_next(next)) {
        file.close();  // removed or shrunk: the loop's own check says what happened
        wake = true;
      } else if (!known || next != last_next) {
        wake = wake || known;  // a first read only learns where the journal stands
        known = true;
        last_next = next;
      }
    }
    if (wake) wake_();
    lock.lock();
    if (wake) ++wakes_;
    stop_cv_.wait_for(lock, kPollPeriod, [this] { return stop_; });
  }
}

}  // namespace shmscope
