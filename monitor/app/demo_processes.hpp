// `shmscope --demo`: a real `shmipc parent` and `shmipc child` on a private session, so a new
// user sees live traffic at once. They must never outlive the monitor: each runs in its own
// process group with PR_SET_PDEATHSIG=SIGKILL, and exit, Ctrl-C, crash and lost-display paths kill the
// groups and unlink the segment.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace shmscope {

class DemoProcesses {
 public:
  DemoProcesses(std::string shmipc_path, std::string session);
  ~DemoProcesses();  // stop()
  DemoProcesses(const DemoProcesses&) = delete;
  DemoProcesses& operator=(const DemoProcesses&) = delete;

  // Starts the parent; the child follows in tick() once the parent's segment exists (the
  // child role needs a session to join). Returns "" or why it failed.
  std::string start();
  void tick();
  // Kills both process groups, reaps them and unlinks the segment. Idempotent.
  void stop() noexcept;

  const std::string& session() const { return session_; }

  // A private session name for this monitor process.
  static std::string private_session_name();
  // The shmipc binary next to this executable (/proc/self/exe), or "" if there is none.
  static std::string shmipc_next_to_self();
  // Removes demo-* sessions left by a monitor that was SIGKILLed (nothing could clean up).
  static void remove_stale_demo_sessions() noexcept;

 private:
  pid_t spawn(const std::vector<std::string>& args);
  std::string shmipc_path_;
  std::string session_;
  pid_t parent_pid_ = -1;
  pid_t child_pid_ = -1;
};

// Installs handlers: SIGINT/SIGTERM set the stop flag (the main loop exits cleanly);
// SIGSEGV/SIGBUS/SIGFPE/SIGILL/SIGABRT kill the demo groups, unlink the segment and re-raise;
// so does an exit() that skips main's clean-up (Xlib's when the X server dies), minus the raise.
void install_signal_handlers();
bool stop_requested();
// The crash handler's view of the demo (async-signal-safe data only).
void register_demo_for_crash_cleanup(pid_t parent_pgid, pid_t child_pgid,
                                     const std::string& session);
// The same for the running scenario's segment ("" when none runs); its processes are the
// runner's children and die with the monitor.
void register_scenario_for_crash_cleanup(const std::string& session);

}  // namespace shmscope
