// The real shmscope binary on a private Xvfb display, attached to real shmipc processes.
// Each test skips (with a message) only when Xvfb or xdotool is not installed.
#include <doctest/doctest.h>
#include <signal.h>

#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#include <stb_image.h>

#include "gui_harness.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;
using guitest::XServer;

namespace {

struct Image {
  int width = 0;
  int height = 0;
  std::vector<unsigned char> rgb;
  const unsigned char* at(int x, int y) const {
    return rgb.data() + (static_cast<std::size_t>(y) * width + x) * 3;
  }
};

std::optional<Image> load_png(const std::string& path) {
  Image img;
  int channels = 0;
  unsigned char* data = stbi_load(path.c_str(), &img.width, &img.height, &channels, 3);
  if (data == nullptr) return std::nullopt;
  img.rgb.assign(data, data + static_cast<std::size_t>(img.width) * img.height * 3);
  stbi_image_free(data);
  return img;
}

std::size_t distinct_colours(const Image& img) {
  std::set<unsigned> colours;
  for (int y = 0; y < img.height; y += 2) {
    for (int x = 0; x < img.width; x += 2) {
      const unsigned char* p = img.at(x, y);
      colours.insert(static_cast<unsigned>(p[0]) << 16 | static_cast<unsigned>(p[1]) << 8 | p[2]);
    }
  }
  return colours.size();
}

// Dear ImGui's dark style: TitleBg (0.04, 0.04, 0.04) and TitleBgActive (0.16, 0.29, 0.48).
bool is_title_bar_colour(const unsigned char* p) {
  auto near = [&](int r, int g, int b) {
    return std::abs(p[0] - r) <= 4 && std::abs(p[1] - g) <= 4 && std::abs(p[2] - b) <= 4;
  };
  return near(10, 10, 10) || near(41, 74, 122);
}

// The panels draw_all_panels lays out (their window titles up to any "##" suffix).
const std::vector<std::string> kPanels = {"Block",    "Mutex", "Events", "Participants",
                                          "Sequence", "Act",   "Metrics"};

const guitest::Rect* find_window(const std::map<std::string, guitest::Rect>& layout,
                                 const std::string& title) {
  for (const auto& [name, rect] : layout) {
    if (name.rfind("window:" + title, 0) == 0) return &rect;
  }
  return nullptr;
}

std::optional<XServer> start_x_or_skip() {
  std::string why;
  auto server = XServer::start(why);
  if (!server) MESSAGE(why);
  return server;
}

shmtest::ChildProcess start_parent(const std::string& session) {
  auto parent = shmtest::ChildProcess::spawn(
      {shmtest::binary_path("shmipc"), "parent", "--session", session});
  REQUIRE_MESSAGE(shmtest::eventually([&] { return shmtest::segment_exists(session); }, 10s),
                  "shmipc parent did not create the session: " << parent.stderr_text());
  return parent;
}

// Runs a short-lived program on the X server (xdotool) and returns its stdout.
std::string run_on(const XServer& x, const std::vector<std::string>& argv,
                   const std::string& config) {
  auto p = shmtest::ChildProcess::spawn(x.with_env(argv, config));
  const auto rc = p.wait_for(20s);
  REQUIRE_MESSAGE(rc.has_value(), argv[0] << " did not finish");
  return p.stdout_text();
}

}  // namespace

TEST_CASE("a screenshot of a session with a live parent shows every panel, not a blank window") {
  shmtest::Watchdog watchdog(120s, "screenshot test");
  auto x = start_x_or_skip();
  if (!x) return;
  guitest::TempDir dir("shot");
  const std::string session = shmtest::unique_session_name("gui-shot");
  auto parent = start_parent(session);

  const std::string png = dir.file("out.png");
  const std::string layout_file = dir.file("layout.txt");
  auto app = shmtest::ChildProcess::spawn(
      x->with_env({shmtest::binary_path("shmscope"), "--session", session, "--screenshot", png,
                   "--frames", "30", "--layout-dump", layout_file},
                  dir.path()));
  const auto rc = app.wait_for(60s);
  REQUIRE_MESSAGE(rc.has_value(), "shmscope did not exit after 30 frames");
  CHECK_MESSAGE(*rc == 0, "stderr: " << app.stderr_text());

  const auto img = load_png(png);
  REQUIRE_MESSAGE(img.has_value(), "no readable PNG at " << png);
  // A fresh config dir: the default window size.
  CHECK(img->width == 1440);
  CHECK(img->height == 900);
  CHECK_MESSAGE(distinct_colours(*img) > 100, "the window looks blank");

  const auto layout = guitest::read_layout(layout_file);
  for (const auto& title : kPanels) {
    CAPTURE(title);
    const guitest::Rect* w = find_window(layout, title);
    REQUIRE_MESSAGE(w != nullptr, "panel " << title << " is not in the layout dump");
    CHECK(w->x1 - w->x0 > 50);
    CHECK(w->y1 - w->y0 > 30);
    // Sample the middle row of the title bar: mostly title-bar colour (text covers the rest).
    const int y = std::clamp((w->y0 + w->title_bottom) / 2, 0, img->height - 1);
    int title_pixels = 0, samples = 0;
    for (int px = std::max(w->x0 + 4, 0); px < std::min(w->x1 - 4, img->width); ++px, ++samples) {
      if (is_title_bar_colour(img->at(px, y))) ++title_pixels;
    }
    CHECK_MESSAGE(title_pixels * 2 > samples, "title bar of " << title << " not found at y=" << y
                                                              << " (" << title_pixels << " of "
                                                              << samples << " pixels)");
  }
  parent.kill(SIGTERM);
  parent.wait_for(5s);
  shmtest::remove_segment(session);
}

TEST_CASE("joining as child and sending through real mouse and keyboard input reaches the parent") {
  shmtest::Watchdog watchdog(150s, "interaction test");
  const std::string xdotool = guitest::find_program("xdotool");
  if (xdotool.empty()) {
    MESSAGE("xdotool is not installed (apt-get install xdotool); the GUI test is skipped");
    return;
  }
  auto x = start_x_or_skip();
  if (!x) return;
  guitest::TempDir dir("input");
  const std::string session = shmtest::unique_session_name("gui-input");
  auto parent = start_parent(session);
  const std::string layout_file = dir.file("layout.txt");
  auto app = shmtest::ChildProcess::spawn(x->with_env(
      {shmtest::binary_path("shmscope"), "--session", session, "--layout-dump", layout_file},
      dir.path()));

  std::string window_id;
  REQUIRE_MESSAGE(
      shmtest::eventually(
          [&] {
            std::this_thread::sleep_for(100ms);  // xdotool is a process: pace it
            const std::string out = run_on(*x, {xdotool, "search", "--name", session}, dir.path());
            window_id = out.substr(0, out.find('\n'));
            return !window_id.empty();
          },
          30s),
      "no window titled with " << session << "; shmscope: " << app.stderr_text());

  auto widget = [&](const std::string& name) {
    return guitest::wait_for_widget(layout_file, name);
  };
  // A press and its release must land in different frames for Dear ImGui to see a click.
  auto click = [&](const guitest::Rect& r) {
    run_on(*x,
           {xdotool, "mousemove", "--window", window_id, std::to_string(r.cx()),
            std::to_string(r.cy())},
           dir.path());
    std::this_thread::sleep_for(100ms);
    run_on(*x, {xdotool, "mousedown", "1"}, dir.path());
    std::this_thread::sleep_for(100ms);
    run_on(*x, {xdotool, "mouseup", "1"}, dir.path());
  };

  click(widget("join_as_child"));
  REQUIRE_MESSAGE(
      shmtest::eventually(
          [&] { return parent.stdout_text().find("child started") != std::string::npos; }, 20s),
      "the parent never saw the child start; parent: " << parent.stdout_text());

  // The join's outcome line is at the top of the panel: once it is drawn, nothing below moves.
  widget("act_outcome");
  click(widget("message_input"));
  const std::string text = "typed through xdotool";
  run_on(*x, {xdotool, "type", "--delay", "30", text}, dir.path());
  // Send is enabled only in a frame that has the text: a slow frame (ASan) could otherwise
  // take the keys and the click on Send together, with Send still disabled.
  widget("message_size");
  click(widget("send"));
  CHECK_MESSAGE(shmtest::eventually(
                    [&] { return parent.stdout_text().find(text) != std::string::npos; }, 20s),
                "the parent did not print the message; parent: " << parent.stdout_text());

  app.kill(SIGTERM);
  const auto rc = app.wait_for(20s);
  CHECK_MESSAGE(rc == std::optional<int>(0), "shmscope: " << app.stderr_text());
  parent.kill(SIGTERM);
  parent.wait_for(5s);
  shmtest::remove_segment(session);
}

TEST_CASE("--demo runs real peers and leaves no process and no segment behind") {
  shmtest::Watchdog watchdog(120s, "demo screenshot test");
  auto x = start_x_or_skip();
  if (!x) return;
  guitest::TempDir dir("demo");
  const std::string png = dir.file("demo.png");
  auto app = shmtest::ChildProcess::spawn(x->with_env(
      {shmtest::binary_path("shmscope"), "--demo", "--screenshot", png, "--frames", "120"},
      dir.path()));
  const std::string session = "demo-" + std::to_string(app.pid());
  const auto rc = app.wait_for(60s);
  REQUIRE(rc.has_value());
  CHECK_MESSAGE(*rc == 0, "stderr: " << app.stderr_text());
  const auto img = load_png(png);
  REQUIRE(img.has_value());
  CHECK(distinct_colours(*img) > 100);
  CHECK_MESSAGE(guitest::processes_mentioning(session).empty(), "a demo peer outlived shmscope");
  CHECK_FALSE(shmtest::segment_exists(session));
}

namespace {

struct RunningDemo {
  shmtest::ChildProcess app;
  std::string session;
};

// Starts `shmscope --demo` and returns once both of its peers run.
RunningDemo start_demo(const XServer& x, const std::string& config) {
  auto app = shmtest::ChildProcess::spawn(
      x.with_env({shmtest::binary_path("shmscope"), "--demo"}, config));
  const std::string session = "demo-" + std::to_string(app.pid());
  REQUIRE_MESSAGE(shmtest::eventually(
                      [&] {
                        return shmtest::segment_exists(session) &&
                               guitest::processes_mentioning("child --session " + session).size() ==
                                   1;
                      },
                      30s),
                  "the demo peers did not start: " << app.stderr_text());
  return RunningDemo{std::move(app), session};
}

// Starts `shmscope --demo`, delivers `sig` to the monitor once both peers run and returns the
// session name once the monitor has ended (its exit code in `rc`).
std::string demo_then_signal(const XServer& x, const std::string& config, int sig,
                             std::optional<int>& rc, std::string& err) {
  RunningDemo demo = start_demo(x, config);
  demo.app.kill(sig);
  rc = demo.app.wait_for(20s);
  err = demo.app.stderr_text();
  return demo.session;
}

}  // namespace

TEST_CASE("Ctrl-C during --demo stops the peers and removes the session") {
  shmtest::Watchdog watchdog(120s, "demo Ctrl-C test");
  auto x = start_x_or_skip();
  if (!x) return;
  guitest::TempDir dir("demo-int");
  std::optional<int> rc;
  std::string err;
  const std::string session = demo_then_signal(*x, dir.path(), SIGINT, rc, err);
  REQUIRE(rc.has_value());
  CHECK_MESSAGE(*rc == 0, "stderr: " << err);
  CHECK(guitest::processes_mentioning(session).empty());
  CHECK_FALSE(shmtest::segment_exists(session));
}

TEST_CASE("a crash of the monitor during --demo still kills the peers and removes the session") {
  shmtest::Watchdog watchdog(120s, "demo crash test");
  auto x = start_x_or_skip();
  if (!x) return;
  guitest::TempDir dir("demo-crash");
  std::optional<int> rc;
  std::string err;
  const std::string session = demo_then_signal(*x, dir.path(), SIGSEGV, rc, err);
  REQUIRE(rc.has_value());
  CHECK(*rc == 128 + SIGSEGV);
  CHECK(shmtest::eventually([&] { return guitest::processes_mentioning(session).empty(); }, 10s));
  CHECK_FALSE(shmtest::segment_exists(session));
}

TEST_CASE("the X server dying under --demo still kills the peers and removes the session") {
  shmtest::Watchdog watchdog(120s, "demo lost-display test");
  auto x = start_x_or_skip();
  if (!x) return;
  guitest::TempDir dir("demo-xio");
  RunningDemo demo = start_demo(*x, dir.path());
  auto& app = demo.app;
  const std::string& session = demo.session;
  x->kill_server();
  const auto rc = app.wait_for(20s);
  REQUIRE_MESSAGE(rc.has_value(), "shmscope outlived its display");
  CHECK(*rc != 0);  // Xlib ends it with exit(1)
  CHECK(shmtest::eventually([&] { return guitest::processes_mentioning(session).empty(); }, 10s));
  CHECK_MESSAGE(!shmtest::segment_exists(session), "stderr: " << app.stderr_text());
  shmtest::remove_segment(session);
}

TEST_CASE("the X server dying during a scenario still ends its processes and removes its segment") {
  shmtest::Watchdog watchdog(120s, "scenario lost-display test");
  auto x = start_x_or_skip();
  if (!x) return;
  guitest::TempDir dir("scenario-xio");
  // The layout dump names the test's own directory on the command line, which the scenario's
  // forked processes share: processes_mentioning finds them all.
  auto app = shmtest::ChildProcess::spawn(
      x->with_env({shmtest::binary_path("shmscope"), "--scenario", "6", "--run-steps", "3",
                   "--layout-dump", dir.file("layout.txt")},
                  dir.path()));
  // Its session is named after the scenario and the monitor's pid.
  const std::string prefix = "shmscope.scn-child-killed-holding-mutex-" + std::to_string(app.pid()) + "-";
  std::string session;
  REQUIRE_MESSAGE(shmtest::eventually(
                      [&] {
                        for (const auto& e : std::filesystem::directory_iterator("/dev/shm")) {
                          const std::string name = e.path().filename().string();
                          if (name.rfind(prefix, 0) == 0) session = name.substr(std::strlen("shmscope."));
                        }
                        return !session.empty();
                      },
                      30s),
                  "a segment " << prefix << "* appeared");
  x->kill_server();
  const auto rc = app.wait_for(20s);
  REQUIRE_MESSAGE(rc.has_value(), "shmscope outlived its display");
  CHECK(*rc != 0);  // Xlib ends it with exit(1)
  CHECK(shmtest::eventually([&] { return guitest::processes_mentioning(dir.path()).empty(); }, 10s));
  CHECK_MESSAGE(!shmtest::segment_exists(session), "stderr: " << app.stderr_text());
  shmtest::remove_segment(session);
}

TEST_CASE(
    "SIGKILL of the monitor leaves no demo peer and the next --demo removes the stale segment") {
  shmtest::Watchdog watchdog(120s, "demo SIGKILL test");
  auto x = start_x_or_skip();
  if (!x) return;
  guitest::TempDir dir("demo-kill");
  std::optional<int> rc;
  std::string err;
  const std::string session = demo_then_signal(*x, dir.path(), SIGKILL, rc, err);
  REQUIRE(rc.has_value());
  // PR_SET_PDEATHSIG: the kernel kills the peers; nothing was left to unlink the segment.
  CHECK(shmtest::eventually([&] { return guitest::processes_mentioning(session).empty(); }, 10s));
  auto next = shmtest::ChildProcess::spawn(
      x->with_env({shmtest::binary_path("shmscope"), "--demo", "--screenshot", dir.file("next.png"),
                   "--frames", "5"},
                  dir.path()));
  CHECK(next.wait_for(60s) == std::optional<int>(0));
  CHECK_FALSE(shmtest::segment_exists(session));
  shmtest::remove_segment(session);
}

TEST_CASE("without a display shmscope exits with code 3 and names xvfb-run and shmipc watch") {
  shmtest::Watchdog watchdog(60s, "no-display test");
  guitest::TempDir dir("nodisplay");
  auto app = shmtest::ChildProcess::spawn(
      {"/usr/bin/env", "-u", "DISPLAY", "-u", "WAYLAND_DISPLAY", "XDG_CONFIG_HOME=" + dir.path(),
       shmtest::binary_path("shmscope"), "--session", "nodisplay"});
  const auto rc = app.wait_for(30s);
  REQUIRE(rc.has_value());
  CHECK(*rc == 3);
  const std::string err = app.stderr_text();
  CHECK_MESSAGE(err.find("xvfb-run") != std::string::npos, err);
  CHECK_MESSAGE(err.find("shmipc watch") != std::string::npos, err);
}
