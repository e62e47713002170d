// What the Xvfb tests share: a private X server, running programs on it, reading the PNG and
// the layout dump shmscope writes.
#pragma once

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "test_process.hpp"

namespace guitest {

using namespace std::chrono_literals;

// The first executable called `name` on PATH (or a standard directory), "" if none.
inline std::string find_program(const std::string& name) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/bin:/bin:/usr/local/bin";
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// A fresh, empty directory under /tmp, removed at the end of the test.
class TempDir {
 public:
  explicit TempDir(const std::string& label) {
    path_ = "/tmp/shmscope-gui-" + label + "-" + std::to_string(::getpid()) + "-" +
            std::to_string(counter()++);
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::string path_;
};

// Xvfb on a display number nobody uses, 1600x1000x24 as the tests assume.
class XServer {
 public:
  // nullopt (with the reason in `why`) only when Xvfb is not installed.
  static std::optional<XServer> start(std::string& why) {
    const std::string xvfb = find_program("Xvfb");
    if (xvfb.empty()) {
      why = "Xvfb is not installed (apt-get install xvfb); the GUI test is skipped";
      return std::nullopt;
    }
    for (int n = 90 + (::getpid() % 300);; ++n) {
      const std::string lock = "/tmp/.X" + std::to_string(n) + "-lock";
      const std::string socket = "/tmp/.X11-unix/X" + std::to_string(n);
      struct stat st {};
      if (::stat(lock.c_str(), &st) == 0 || ::stat(socket.c_str(), &st) == 0) continue;
      XServer server(shmtest::ChildProcess::spawn({xvfb, ":" + std::to_string(n), "-screen", "0",
                                                   "1600x1000x24", "-nolisten", "tcp"}),
                     n);
      if (shmtest::eventually([&] { return ::stat(socket.c_str(), &st) == 0; }, 10s)) {
        return server;
      }
      // Lost a race for that number with another test: try the next one.
      if (server.process_.running()) FAIL("Xvfb :" << n << " did not open its socket");
    }
  }

  std::string display() const { return ":" + std::to_string(number_); }

  // The display goes away under its clients, as when a remote X session drops.
  void kill_server() {
    process_.kill(SIGKILL);
    process_.wait_for(std::chrono::seconds(10));
  }

  // argv run with DISPLAY set to this server and a private config dir.
  std::vector<std::string> with_env(const std::vector<std::string>& argv,
                                    const std::string& config_home) const {
    std::vector<std::string> full{"/usr/bin/env", "-u", "WAYLAND_DISPLAY", "DISPLAY=" + display(),
                                  "XDG_CONFIG_HOME=" + config_home};
    // Mesa unloads its llvmpipe driver in glfwTerminate, and LeakSanitizer then reports what the
    // driver still referenced as leaks from an unknown module, which no suppression can name.
    // So leak checking is off for programs on this display only: ASan and UBSan errors still
    // abort them, and the headless panel tests keep leak checking for the monitor's own code.
    const char* asan_options = std::getenv("ASAN_OPTIONS");
    full.push_back("ASAN_OPTIONS=" + std::string(asan_options ? asan_options : "") +
                   ":detect_leaks=0");
    full.insert(full.end(), argv.begin(), argv.end());
    return full;
  }

 private:
  XServer(shmtest::ChildProcess p, int n) : process_(std::move(p)), number_(n) {}
  shmtest::ChildProcess process_;
  int number_;
};

struct Rect {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0, title_bottom = 0;
  int cx() const { return (x0 + x1) / 2; }
  int cy() const { return (y0 + y1) / 2; }
};

// Parses a --layout-dump file: "name x0 y0 x1 y1 [title_bottom]" per line.
inline std::map<std::string, Rect> read_layout(const std::string& path) {
  std::map<std::string, Rect> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name;
    Rect r;
    if (!(fields >> name >> r.x0 >> r.y0 >> r.x1 >> r.y1)) continue;
    fields >> r.title_bottom;
    out[name] = r;
  }
  return out;
}

// Where widget `name` is, from the app's layout dump, once it appears there (the dump is
// rewritten every frame; the widget may take a few frames to be drawn).
inline Rect wait_for_widget(const std::string& layout_file, const std::string& name) {
  Rect r;
  REQUIRE_MESSAGE(shmtest::eventually(
                      [&] {
                        const auto layout = read_layout(layout_file);
                        auto it = layout.find(name);
                        if (it == layout.end()) return false;
                        r = it->second;
                        return true;
                      },
                      20s),
                  "widget " << name << " never appeared in the layout dump");
  return r;
}

// Processes whose command line mentions `needle` (to find leftover demo peers).
inline std::vector<int> processes_mentioning(const std::string& needle) {
  std::vector<int> pids;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (char& c : cmdline) {
      if (c == '\0') c = ' ';
    }
    // Zombies have an empty command line; they are reaped by their parent, not leftovers.
    if (cmdline.find(needle) != std::string::npos) pids.push_back(std::stoi(name));
  }
  return pids;
}

// A running shmscope on the test's X server, driven with xdotool through its layout dump.
class MonitorWindow {
 public:
  MonitorWindow(XServer& x, const TempDir& dir, const std::string& session,
                const std::string& xdotool, std::vector<std::string> extra = {})
      : x_(x), dir_(dir), xdotool_(xdotool), layout_(dir.file("layout.txt")),
        app_(shmtest::ChildProcess::spawn(x.with_env(
            [&] {
              std::vector<std::string> argv{shmtest::binary_path("shmscope"), "--session", session,
                                            "--layout-dump", layout_};
              argv.insert(argv.end(), extra.begin(), extra.end());
              return argv;
            }(),
            dir.path()))) {
    guitest::wait_for_widget(layout_, "menu_classroom");
    REQUIRE(shmtest::eventually(
        [&] {
          std::this_thread::sleep_for(100ms);
          // The title names the session, or a scenario: "shmscope" is in both.
          const std::string out = run({xdotool_, "search", "--name", "shmscope"});
          window_ = out.substr(0, out.find('\n'));
          return !window_.empty();
        },
        30s));
  }
  std::string run(const std::vector<std::string>& argv) {
    auto p = shmtest::ChildProcess::spawn(x_.with_env(argv, dir_.path()));
    REQUIRE(p.wait_for(20s).has_value());
    return p.stdout_text();
  }
  void click(int x, int y) {
    run({xdotool_, "mousemove", "--window", window_, std::to_string(x), std::to_string(y)});
    std::this_thread::sleep_for(150ms);
    run({xdotool_, "click", "--window", window_, "1"});
    std::this_thread::sleep_for(150ms);
  }
  Rect wait_for_widget(const std::string& name) { return guitest::wait_for_widget(layout_, name); }
  void click_widget(const std::string& name) {
    const auto r = guitest::wait_for_widget(layout_, name);
    click(r.cx(), r.cy());
  }
  // Waits until `ok(read(dump))` holds for a `read` of the test's choosing; returns the last read.
  template <typename Read, typename Ok>
  auto wait(Read read, Ok ok, const char* what) {
    decltype(read(layout_)) l;
    const bool reached = shmtest::eventually(
        [&] {
          l = read(layout_);
          return ok(l);
        },
        20s);
    CHECK_MESSAGE(reached, what);
    return l;
  }
  const std::string& layout_file() const { return layout_; }
  shmtest::ChildProcess& process() { return app_; }
  void resize(int w, int h) {
    run({xdotool_, "windowsize", "--sync", window_, std::to_string(w), std::to_string(h)});
  }
  void drag(int x0, int y0, int x1, int y1) {
    run({xdotool_, "mousemove", "--window", window_, std::to_string(x0), std::to_string(y0)});
    std::this_thread::sleep_for(150ms);
    run({xdotool_, "mousedown", "--window", window_, "1"});
    for (int i = 1; i <= 6; ++i) {
      std::this_thread::sleep_for(60ms);
      run({xdotool_, "mousemove", "--window", window_, std::to_string(x0 + (x1 - x0) * i / 6),
           std::to_string(y0 + (y1 - y0) * i / 6)});
    }
    std::this_thread::sleep_for(150ms);
    run({xdotool_, "mouseup", "--window", window_, "1"});
    std::this_thread::sleep_for(150ms);
  }
  // Ctrl+Q, held across frames (Dear ImGui polls key state once a frame); the exit code.
  int quit() {
    run({xdotool_, "windowfocus", "--sync", window_});
    run({xdotool_, "keydown", "--window", window_, "ctrl"});
    run({xdotool_, "keydown", "--window", window_, "q"});
    std::this_thread::sleep_for(300ms);
    run({xdotool_, "keyup", "--window", window_, "q"});
    run({xdotool_, "keyup", "--window", window_, "ctrl"});
    const auto rc = app_.wait_for(20s);
    REQUIRE_MESSAGE(rc.has_value(), "Ctrl+Q did not quit shmscope");
    return *rc;
  }

 private:
  XServer& x_;
  const TempDir& dir_;
  std::string xdotool_;
  std::string layout_;
  shmtest::ChildProcess app_;
  std::string window_;
};


// What every real-window test needs first: a private Xvfb and xdotool. `ready()` is false (and
// the test says it is skipped) only where they are not installed.
struct GuiTestSetup {
  std::string xdotool = find_program("xdotool");
  std::string why;
  std::optional<XServer> x = XServer::start(why);
  bool ready() const {
    if (x && !xdotool.empty()) return true;
    MESSAGE("Xvfb or xdotool is not installed; the GUI test is skipped");
    return false;
  }
};

// A real `shmipc parent` on `session`, stopped (SIGTERM) and its segment removed at the end.
class LiveParent {
 public:
  explicit LiveParent(const std::string& session)
      : session_(session),
        process_(shmtest::ChildProcess::spawn(
            {shmtest::binary_path("shmipc"), "parent", "--session", session})) {
    REQUIRE(shmtest::eventually([&] { return shmtest::segment_exists(session); }, 10s));
  }
  ~LiveParent() {
    process_.kill(SIGTERM);
    process_.wait_for(10s);
    shmtest::remove_segment(session_);
  }
  bool running() { return process_.running(); }

 private:
  std::string session_;
  shmtest::ChildProcess process_;
};

}  // namespace guitest
