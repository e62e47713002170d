// A thread that runs posted tasks in order, so slow protocol calls (a send waiting for its
// receipt, a lock behind a held mutex) never block the UI thread. Between tasks it calls
// `idle` every `idle_every` (the peers' heartbeat).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace shmscope {

class TaskThread {
 public:
  explicit TaskThread(std::function<void()> idle = {},
                      std::chrono::milliseconds idle_every = std::chrono::milliseconds(500));
  ~TaskThread();  // stop(): the running task finishes, queued ones are dropped
  TaskThread(const TaskThread&) = delete;
  TaskThread& operator=(const TaskThread&) = delete;

  void post(std::function<void()> task);
  void request_stop();
  bool finished() const;  // the thread has left its loop (join will not block)
  void join();

 private:
  void run();
  std::function<void()> idle_;
  std::chrono::milliseconds idle_every_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stop_ = false;
  bool finished_ = false;
  std::thread thread_;
};

}  // namespace shmscope
