#include "app/demo_processes.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "shmipc/session.hpp"
#include "shmipc/session_name.hpp"

namespace shmscope {
namespace {

volatile sig_atomic_t g_stop = 0;
// Read by the crash handler: plain data written before the handler can need it.
std::atomic<pid_t> g_crash_pgids[2] = {-1, -1};
char g_crash_segment_path[PATH_MAX] = {0};
char g_scenario_segment_path[PATH_MAX] = {0};  // the running scenario's, also left by exit()

void on_stop_signal(int) {
  g_stop = 1;
}

// Async-signal-safe: the crash handler calls it.
void kill_demo_and_unlink() {
  for (auto& pg : g_crash_pgids) {
    const pid_t p = pg.load();
    if (p > 0) ::kill(-p, SIGKILL);
  }
  if (g_crash_segment_path[0] != '\0') ::unlink(g_crash_segment_path);
  if (g_scenario_segment_path[0] != '\0') ::unlink(g_scenario_segment_path);
}

void on_crash_signal(int sig) {
  kill_demo_and_unlink();
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// exit() from inside a library skips main's clean-up: Xlib's default I/O error handler ends the
// process this way when the X server goes away ("XIO: fatal IO error"). The peers would die of
// PR_SET_PDEATHSIG, but their segment would stay. After a normal stop() there is nothing left
// to do here.
void on_exit() {
  kill_demo_and_unlink();
}

bool segment_exists(const std::string& session) {
  struct stat st {};
  return ::stat(("/dev/shm" + shmipc::segment_name(session)).c_str(), &st) == 0;
}

void kill_and_reap(pid_t& pid) noexcept {
  if (pid <= 0) return;
  ::kill(-pid, SIGKILL);  // the whole group: shmipc may have threads or helpers
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  pid = -1;
}

}  // namespace

void install_signal_handlers() {
  struct sigaction stop {};
  stop.sa_handler = on_stop_signal;
  sigemptyset(&stop.sa_mask);
  ::sigaction(SIGINT, &stop, nullptr);
  ::sigaction(SIGTERM, &stop, nullptr);
  ::sigaction(SIGHUP, &stop, nullptr);
  struct sigaction crash {};
  crash.sa_handler = on_crash_signal;
  sigemptyset(&crash.sa_mask);
  crash.sa_flags = SA_RESETHAND;
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::sigaction(sig, &crash, nullptr);
  static const bool at_exit_registered = std::atexit(on_exit) == 0;
  (void)at_exit_registered;
}

bool stop_requested() {
  return g_stop != 0;
}

namespace {

void set_segment_path(char (&to)[PATH_MAX], const std::string& session) {
  const std::string path = session.empty() ? "" : "/dev/shm" + shmipc::segment_name(session);
  std::strncpy(to, path.c_str(), PATH_MAX - 1);
}

}  // namespace

void register_demo_for_crash_cleanup(pid_t parent_pgid, pid_t child_pgid,
                                     const std::string& session) {
  g_crash_pgids[0].store(parent_pgid);
  g_crash_pgids[1].store(child_pgid);
  set_segment_path(g_crash_segment_path, session);
}

void register_scenario_for_crash_cleanup(const std::string& session) {
  set_segment_path(g_scenario_segment_path, session);
}

DemoProcesses::DemoProcesses(std::string shmipc_path, std::string session)
    : shmipc_path_(std::move(shmipc_path)), session_(std::move(session)) {}

DemoProcesses::~DemoProcesses() {
  stop();
}

std::string DemoProcesses::private_session_name() {
  return "demo-" + std::to_string(::getpid());
}

std::string DemoProcesses::shmipc_next_to_self() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return "";
  std::string self(buf, static_cast<std::size_t>(n));
  const auto slash = self.rfind('/');
  if (slash == std::string::npos) return "";
  std::string path = self.substr(0, slash + 1) + "shmipc";
  return ::access(path.c_str(), X_OK) == 0 ? path : "";
}

void DemoProcesses::remove_stale_demo_sessions() noexcept {
  try {
    for (const auto& info : shmipc::list_sessions()) {
      if (info.name.rfind("demo-", 0) == 0 && info.stale && !info.foreign) {
        shmipc::remove_stale_session(info.name);
      }
    }
  } catch (...) {
    // Best effort: a leftover we cannot remove does not stop a new demo.
  }
}

pid_t DemoProcesses::spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t monitor = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != monitor) ::_exit(127);  // the monitor died before prctl took effect
    // The demo's chatter would interleave with the monitor's own messages.
    const int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull >= 0) ::dup2(devnull, STDOUT_FILENO);
    ::signal(SIGINT, SIG_DFL);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from this side, so the group exists before we might kill it
  return pid;
}

std::string DemoProcesses::start() {
  if (shmipc_path_.empty()) return "the shmipc binary was not found next to shmscope";
  parent_pid_ = spawn({shmipc_path_, "parent", "--session", session_});
  if (parent_pid_ < 0) return std::string("fork failed: ") + std::strerror(errno);
  register_demo_for_crash_cleanup(parent_pid_, -1, session_);
  return "";
}

void DemoProcesses::tick() {
  if (parent_pid_ <= 0 || child_pid_ > 0) return;
  if (!segment_exists(session_)) return;
  child_pid_ = spawn({shmipc_path_, "child", "--session", session_, "--every", "1", "--send",
                      "hello from the child"});
  register_demo_for_crash_cleanup(parent_pid_, child_pid_, session_);
}

void DemoProcesses::stop() noexcept {
  kill_and_reap(child_pid_);
  kill_and_reap(parent_pid_);
  register_demo_for_crash_cleanup(-1, -1, "");
  ::shm_unlink(shmipc::segment_name(session_).c_str());
}

}  // namespace shmscope
