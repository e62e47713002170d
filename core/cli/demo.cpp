// `shmipc demo`: a parent and a child talking on a private session, shown in this terminal.
// For a headless machine (the monitor's demo needs a display). The helpers die with us
// (PR_SET_PDEATHSIG), and the demo ends the protocol's way: it stands in for the child and
// sends KILL_APP, so the parent leaves and the segment is removed.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "commands.hpp"
#include "shmipc/error.hpp"
#include "shmipc/session_name.hpp"

namespace shmcli {

namespace {

int g_signal_pipe[2] = {-1, -1};

void on_stop_signal(int) {
  const char byte = 1;
  [[maybe_unused]] auto n = ::write(g_signal_pipe[1], &byte, 1);
}

struct Helper {
  pid_t pid = -1;
  int out = -1;  // its stdout + stderr
  std::string prefix;
  std::string partial;
  std::vector<std::string> lines_seen;
};

std::string self_executable() {
  std::array<char, 4096> buf{};
  const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) shmipc::throw_errno("readlink /proc/self/exe", errno);
  return std::string(buf.data(), static_cast<std::size_t>(n));
}

Helper start_helper(const std::vector<std::string>& argv, std::string prefix) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) shmipc::throw_errno("pipe2", errno);
  const pid_t demo = ::getpid();
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) shmipc::throw_errno("fork", errno);
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != demo) ::_exit(127);  // the demo died before prctl took effect
    ::setpgid(0, 0);  // Ctrl-C reaches the demo only; it ends the helpers itself
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  Helper h;
  h.pid = pid;
  h.out = fds[0];
  h.prefix = std::move(prefix);
  return h;
}

// Reads what is available and prints complete lines. Returns false at end of file.
bool relay(Helper& h) {
  char buf[4096];
  const ssize_t n = ::read(h.out, buf, sizeof buf);
  if (n < 0 && errno == EINTR) return true;
  if (n <= 0) {
    if (!h.partial.empty()) std::printf("%s%s\n", h.prefix.c_str(), h.partial.c_str());
    h.partial.clear();
    ::close(h.out);
    h.out = -1;
    return false;
  }
  h.partial.append(buf, static_cast<std::size_t>(n));
  std::size_t nl;
  while ((nl = h.partial.find('\n')) != std::string::npos) {
    std::string line = h.partial.substr(0, nl);
    h.partial.erase(0, nl + 1);
    std::printf("%s%s\n", h.prefix.c_str(), line.c_str());
    h.lines_seen.push_back(std::move(line));
  }
  std::fflush(stdout);
  return true;
}

// Relays helper output until `until` is true, the deadline passes or a stop signal arrives.
// Returns false if stopped by a signal.
template <typename Until>
bool relay_until(std::vector<Helper*> helpers, std::chrono::steady_clock::time_point deadline,
                 Until until) {
  while (!until()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return true;
    std::vector<pollfd> fds{{g_signal_pipe[0], POLLIN, 0}};
    for (auto* h : helpers)
      if (h->out >= 0) fds.push_back({h->out, POLLIN, 0});
    const auto wait_ms = std::min<std::int64_t>(left.count(), 60'000);
    const int r = ::poll(fds.data(), fds.size(), static_cast<int>(wait_ms));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) shmipc::throw_errno("poll", errno);
    if (fds[0].revents) return false;
    std::size_t k = 1;
    for (auto* h : helpers) {
      if (h->out < 0) continue;
      if (fds[k++].revents) relay(*h);
    }
  }
  return true;
}

int reap(pid_t pid, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (true) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (std::chrono::steady_clock::now() >= end) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return 128 + SIGKILL;
    }
    ::usleep(10'000);  // reaping a child that was told to exit; there is no event to wait on
  }
}

}  // namespace

int run_demo(Arguments& args) {
  const auto seconds = args.seconds("seconds");
  args.finish();
  const std::string name = "demo-" + std::to_string(::getpid());
  const std::string exe = self_executable();

  if (::pipe2(g_signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) shmipc::throw_errno("pipe2", errno);
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);

  std::printf("demo on private session %s (%s): a parent and a child, one message a second%s\n",
              name.c_str(), ("/dev/shm" + shmipc::segment_name(name)).c_str(),
              seconds ? "" : "; Ctrl-C ends it");
  std::fflush(stdout);
  const auto start = std::chrono::steady_clock::now();
  const auto end = seconds ? start + std::chrono::duration_cast<std::chrono::nanoseconds>(
                                         std::chrono::duration<double>(*seconds))
                           : std::chrono::steady_clock::time_point::max();

  Helper parent = start_helper({exe, "parent", "--session", name}, "parent | ");
  // The parent's first line says it has joined: only then can a child find the session.
  bool go = relay_until({&parent}, start + std::chrono::seconds(10),
                        [&] { return !parent.lines_seen.empty() || parent.out < 0; });
  Helper child;
  if (go && parent.out >= 0) {
    child = start_helper(
        {exe, "child", "--session", name, "--every", "1", "--send", "hello from the child"},
        "child  | ");
    relay_until({&parent, &child}, end, [&] { return parent.out < 0; });
  }

  // End the child first (SIGTERM: it leaves the session), then take its place to send KILL_APP.
  if (child.pid > 0) {
    ::kill(child.pid, SIGTERM);
    reap(child.pid, std::chrono::seconds(2));
    if (child.out >= 0) ::close(child.out);
  }
  bool clean_exit = false;
  try {
    shmipc::SessionOptions options;
    options.name = name;
    options.role = shmipc::RoleRequest::Child;
    options.create_if_missing = false;
    auto session = shmipc::Session::join(options);
    shmipc::ChildPeer stand_in(*session);
    clean_exit = stand_in.send_command(shmipc::Command::KillApp, 0,
                                       shmipc::deadline_after(std::chrono::seconds(3)));
    session->leave();
  } catch (const shmipc::Error& e) {
    std::fprintf(stderr, "demo: could not send KILL_APP: %s\n", e.what());
  }
  if (parent.out >= 0)
    relay_until({&parent}, std::chrono::steady_clock::now() + std::chrono::seconds(3),
                [&] { return parent.out < 0; });
  const int parent_status = reap(parent.pid, std::chrono::seconds(3));
  try {
    if (shmipc::remove_stale_session(name)) std::printf("demo: removed the leftover segment\n");
  } catch (const shmipc::Error&) {
    // NotFound: the last one to leave removed it, as it should.
  }
  const std::string path = "/dev/shm" + shmipc::segment_name(name);
  const bool left_behind = ::access(path.c_str(), F_OK) == 0;
  std::printf("demo over: parent exited with %d%s; %s\n", parent_status,
              clean_exit ? " after KILL_APP" : "",
              left_behind ? ("could not remove " + path).c_str() : "nothing left in /dev/shm");
  return left_behind ? 1 : 0;
}

}  // namespace shmcli
