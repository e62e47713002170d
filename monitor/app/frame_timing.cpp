#include "app/frame_timing.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <imgui.h>

#include "app/demo_processes.hpp"
#include "app/options.hpp"
#include "app/session_link.hpp"
#include "model/session_history.hpp"
#include "panels/panels.hpp"
#include "shmipc/block.hpp"
#include "shmipc/clock.hpp"
#include "shmipc/session_name.hpp"
#include "ui/headless_imgui.hpp"

extern char** environ;

namespace shmscope {

namespace {

// About a dozen journal records a message: this many overfill the 2048-record ring.
constexpr int kMessages = 250;

double thread_cpu_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

// A peer process with its output discarded; -1 if it could not be started.
pid_t spawn_quiet(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

// Waits up to `limit` for `pid` to exit; its exit status, or -1.
int wait_exit(pid_t pid, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

// The real peers of the measurement: a parent, and a child sending kMessages messages.
class Traffic {
 public:
  explicit Traffic(std::string session) : session_(std::move(session)) {}
  ~Traffic() {
    if (parent_ > 0) {
      ::kill(parent_, SIGTERM);
      if (wait_exit(parent_, std::chrono::seconds(5)) < 0) ::kill(parent_, SIGKILL);
      ::waitpid(parent_, nullptr, WNOHANG);
    }
    ::shm_unlink(shmipc::segment_name(session_).c_str());
  }
  Traffic(const Traffic&) = delete;
  Traffic& operator=(const Traffic&) = delete;

  // "" once the child has sent all its messages; otherwise what went wrong.
  std::string run(const std::string& shmipc) {
    parent_ = spawn_quiet({shmipc, "parent", "--session", session_});
    if (parent_ < 0) return "could not start " + shmipc;
    std::vector<std::string> child{shmipc, "child", "--session", session_, "--timeout", "20"};
    for (int i = 1; i <= kMessages; ++i) {
      child.push_back("--send");
      child.push_back("frame timing message " + std::to_string(i));
    }
    // The child needs the parent's session: retry while it is being created.
    for (int attempt = 0; attempt < 100; ++attempt) {
      const pid_t pid = spawn_quiet(child);
      if (pid < 0) return "could not start " + shmipc;
      if (wait_exit(pid, std::chrono::seconds(60)) == 0) return "";
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "the child could not send its messages to the parent";
  }

 private:
  std::string session_;
  pid_t parent_ = -1;
};

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

int run_frame_timing(int frames) {
  const std::string shmipc = DemoProcesses::shmipc_next_to_self();
  if (shmipc.empty()) {
    std::fprintf(stderr, "shmscope --frame-timing: no shmipc binary next to this program\n");
    return kExitDemoFailed;
  }
  const std::string session = "frame-timing-" + std::to_string(::getpid());
  Traffic traffic(session);
  if (std::string problem = traffic.run(shmipc); !problem.empty()) {
    std::fprintf(stderr, "shmscope --frame-timing: %s\n", problem.c_str());
    return kExitDemoFailed;
  }
  SessionHistory history;
  SessionLink link(session);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (history.journal().size() < shmipc::kJournalCapacity &&
         std::chrono::steady_clock::now() < until) {
    link.update(history);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  HeadlessImGui imgui(ImVec2(1920, 1080));
  UiState ui;
  const ActingState acting = link.acting();
  std::vector<double> ms;
  ms.reserve(static_cast<std::size_t>(frames));
  constexpr int kWarmUp = 10;  // windows are created and laid out in the first frames
  for (int i = 0; i < kWarmUp + frames; ++i) {
    const double start = thread_cpu_ms();
    link.update(history);  // the per-frame read of the block, as the app does
    ImGui::NewFrame();
    ui.begin_frame();
    PanelOutput out;
    const PanelInput in{history, acting, shmipc::monotonic_ns()};
    draw_all_panels(in, ui, out);
    ImGui::Render();
    if (i >= kWarmUp) ms.push_back(thread_cpu_ms() - start);
  }
  std::printf(
      "frame CPU time, %d frames of every panel at 1920x1080 without rendering\n"
      "journal: %zu records shown (%llu appended), block copies kept: %zu\n"
      "median %.3f ms, p99 %.3f ms, max %.3f ms\n",
      frames, history.journal().size(), static_cast<unsigned long long>(history.journal_next()),
      history.snapshots().size(), percentile(ms, 0.5), percentile(ms, 0.99),
      *std::max_element(ms.begin(), ms.end()));
  return kExitOk;
}

}  // namespace shmscope
