#include "app/task_thread.hpp"

namespace shmscope {

TaskThread::TaskThread(std::function<void()> idle, std::chrono::milliseconds idle_every)
    : idle_(std::move(idle)), idle_every_(idle_every), thread_([this] { run(); }) {}

TaskThread::~TaskThread() {
  request_stop();
  join();
}

void TaskThread::post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
}

void TaskThread::request_stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    tasks_.clear();
  }
  cv_.notify_one();
}

bool TaskThread::finished() const {
  std::lock_guard<std::mutex> lock(mu_);
  return finished_;
}

void TaskThread::join() {
  if (thread_.joinable()) thread_.join();
}

void TaskThread::run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    if (tasks_.empty()) {
      // Woken by post() or stop; the timeout is the heartbeat period, not a poll for work.
      if (!cv_.wait_for(lock, idle_every_, [this] { return stop_ || !tasks_.empty(); })) {
        if (idle_) {
          lock.unlock();
          idle_();
          lock.lock();
        }
      }
      continue;
    }
    auto task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
  finished_ = true;
}

}  // namespace shmscope
