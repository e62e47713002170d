// Test harness for real processes. The failure mode under test is a hang, so every forked
// helper dies with its parent (PR_SET_PDEATHSIG) and every test can arm a watchdog.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace shmtest {

// A session name no other test (or parallel ctest process) uses.
std::string unique_session_name(const std::string& label);

// Removes /dev/shm/shmscope.<name> if present (test cleanup; ignores errors).
void remove_segment(const std::string& session_name);
bool segment_exists(const std::string& session_name);

class ChildProcess {
 public:
  // Forks; the child runs `body` and _exit()s with its return value (exceptions: 99).
  static ChildProcess fork(const std::function<int()>& body);
  // Forks and execs `argv` (argv[0] a path), stdout/stderr captured into files.
  static ChildProcess spawn(const std::vector<std::string>& argv, const std::string& stdin_text = "");

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ~ChildProcess();  // SIGKILL + reap if still running

  pid_t pid() const { return pid_; }
  // Exit status (WEXITSTATUS) or 128 + signal; nullopt if it did not end in time.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);
  void kill(int sig);
  bool running();
  std::string stdout_text() const;  // spawn() only
  std::string stderr_text() const;

 private:
  ChildProcess() = default;
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::string out_path_, err_path_;
};

// Aborts the whole test process (with a message) if it is still alive after `limit`.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds limit, std::string what = "test");
  ~Watchdog();

 private:
  struct State;
  State* state_;
};

// Path of a built binary (shmipc, shmscope) in the build tree.
std::string binary_path(const std::string& name);

// Polls `predicate` every 2 ms until true or timeout; returns its last value.
bool eventually(const std::function<bool()>& predicate, std::chrono::milliseconds timeout);

}  // namespace shmtest
