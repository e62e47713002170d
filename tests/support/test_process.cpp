#include "test_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace shmtest {

std::string unique_session_name(const std::string& label) {
  static std::atomic<int> counter{0};
  return "t-" + label + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

void remove_segment(const std::string& session_name) {
  std::string path = "/dev/shm/shmscope." + session_name;
  ::unlink(path.c_str());
}

bool segment_exists(const std::string& session_name) {
  struct stat st {};
  return ::stat(("/dev/shm/shmscope." + session_name).c_str(), &st) == 0;
}

namespace {
void die_with_parent(pid_t parent) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  // The parent may have died between fork and prctl.
  if (::getppid() != parent) ::_exit(98);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

ChildProcess ChildProcess::fork(const std::function<int()>& body) {
  std::fflush(nullptr);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) std::abort();
  if (pid == 0) {
    die_with_parent(parent);
    int rc = 99;
    try {
      rc = body();
    } catch (...) {
      rc = 99;
    }
    ::_exit(rc);
  }
  ChildProcess c;
  c.pid_ = pid;
  return c;
}

ChildProcess ChildProcess::spawn(const std::vector<std::string>& argv,
                                 const std::string& stdin_text) {
  static std::atomic<int> counter{0};
  std::string base = "/tmp/shmtest-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  ChildProcess c;
  c.out_path_ = base + ".out";
  c.err_path_ = base + ".err";
  std::string in_path = base + ".in";
  {
    std::ofstream in(in_path);
    in << stdin_text;
  }
  std::fflush(nullptr);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) std::abort();
  if (pid == 0) {
    die_with_parent(parent);
    int in = ::open(in_path.c_str(), O_RDONLY);
    int out = ::open(c.out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = ::open(c.err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) ::_exit(97);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  c.pid_ = pid;
  return c;
}

ChildProcess::ChildProcess(ChildProcess&& o) noexcept
    : pid_(o.pid_),
      reaped_(o.reaped_),
      status_(o.status_),
      out_path_(std::move(o.out_path_)),
      err_path_(std::move(o.err_path_)) {
  o.pid_ = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    this->~ChildProcess();
    new (this) ChildProcess(std::move(o));
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status_, 0);
  }
  if (!out_path_.empty()) ::unlink(out_path_.c_str());
  if (!err_path_.empty()) ::unlink(err_path_.c_str());
}

std::optional<int> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (!reaped_) {
    pid_t r = ::waitpid(pid_, &status_, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      break;
    }
    if (std::chrono::steady_clock::now() >= until) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) return 128 + WTERMSIG(status_);
  return -1;
}

void ChildProcess::kill(int sig) {
  if (pid_ > 0 && !reaped_) ::kill(pid_, sig);
}

bool ChildProcess::running() {
  return !wait_for(std::chrono::milliseconds(0)).has_value();
}

std::string ChildProcess::stdout_text() const {
  return read_file(out_path_);
}
std::string ChildProcess::stderr_text() const {
  return read_file(err_path_);
}

struct Watchdog::State {
  std::mutex m;
  std::condition_variable cv;
  bool started = false;
  bool done = false;
  std::thread thread;
};

Watchdog::Watchdog(std::chrono::seconds limit, std::string what) : state_(new State) {
  state_->thread = std::thread([s = state_, limit, what] {
    std::unique_lock<std::mutex> lock(s->m);
    s->started = true;
    s->cv.notify_all();
    if (!s->cv.wait_for(lock, limit, [s] { return s->done; })) {
      std::fprintf(stderr, "WATCHDOG: %s still running after %lld s: hung\n", what.c_str(),
                   static_cast<long long>(limit.count()));
      std::fflush(stderr);
      std::_Exit(124);
    }
  });
  // Tests fork right after arming the watchdog. A thread still starting up may hold an
  // allocator lock of the sanitizer runtime (GCC 12's ASan has no fork handler for it), and a
  // child forked at that moment deadlocks at its next allocation: wait until it is asleep.
  std::unique_lock<std::mutex> lock(state_->m);
  state_->cv.wait(lock, [this] { return state_->started; });
}

Watchdog::~Watchdog() {
  {
    std::lock_guard<std::mutex> lock(state_->m);
    state_->done = true;
  }
  state_->cv.notify_all();
  state_->thread.join();
  delete state_;
}

std::string binary_path(const std::string& name) {
  return std::string(SHMSCOPE_BIN_DIR) + "/" + name;
}

bool eventually(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (predicate()) return true;
    if (std::chrono::steady_clock::now() >= until) return predicate();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace shmtest
