// Wakes the monitor's event loop when the watched session's journal moves, so a quiet session
// costs no frames: the loop sleeps in glfwWaitEvents and draws only on a change or on input.
// Every protocol action appends a journal record, so the ring's `next` counter is the one word
// to watch. It is read with pread() from the segment (never mapped: a segment shrunk by
// someone else would raise SIGBUS in a mapping), 40 times a second, which costs a
// few microseconds each; there is no futex to wait on, because peers do not wake observers
// (that would put a system call into every hand-off).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace shmscope {

class BlockWatcher {
 public:
  // `wake` is called from the watcher's thread (glfwPostEmptyEvent is safe there).
  explicit BlockWatcher(std::function<void()> wake);
  ~BlockWatcher();
  BlockWatcher(const BlockWatcher&) = delete;
  BlockWatcher& operator=(const BlockWatcher&) = delete;

  // The session whose segment to watch; "" watches nothing. Cheap when unchanged.
  void watch(const std::string& session);
  // How many times the watcher has called `wake` (for tests and the frame-timing report).
  std::uint64_t wakes() const;

 private:
  void run();
  std::function<void()> wake_;
  mutable std::mutex mutex_;
  std::condition_variable stop_cv_;
  std::string session_;
  bool stop_ = false;
  std::uint64_t wakes_ = 0;
  std::thread thread_;
};

}  // namespace shmscope
