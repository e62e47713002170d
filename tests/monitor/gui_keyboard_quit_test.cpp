// Ctrl+Q quits the monitor from the keyboard, as File > Quit does, leaving the session it
// watched alone.
#include <doctest/doctest.h>
#include <signal.h>

#include <thread>

#include "gui_harness.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;

TEST_CASE("Ctrl+Q quits the monitor with exit code 0 and leaves the watched session alone") {
  shmtest::Watchdog watchdog(120s, "keyboard quit");
  const std::string xdotool = guitest::find_program("xdotool");
  std::string why;
  auto x = guitest::XServer::start(why);
  if (!x || xdotool.empty()) {
    MESSAGE("Xvfb or xdotool is not installed; the GUI test is skipped");
    return;
  }
  guitest::TempDir dir("quit");
  const std::string session = shmtest::unique_session_name("gui-quit");
  auto parent = shmtest::ChildProcess::spawn(
      {shmtest::binary_path("shmipc"), "parent", "--session", session});
  REQUIRE(shmtest::eventually([&] { return shmtest::segment_exists(session); }, 10s));
  const std::string layout = dir.file("layout.txt");
  auto app = shmtest::ChildProcess::spawn(x->with_env(
      {shmtest::binary_path("shmscope"), "--session", session, "--layout-dump", layout}, dir.path()));
  guitest::wait_for_widget(layout, "menu_help");
  auto run_on = [&](const std::vector<std::string>& argv) {
    auto p = shmtest::ChildProcess::spawn(x->with_env(argv, dir.path()));
    REQUIRE(p.wait_for(20s).has_value());
    return p.stdout_text();
  };
  std::string window_id;
  REQUIRE(shmtest::eventually(
      [&] {
        std::this_thread::sleep_for(100ms);
        const std::string out = run_on({xdotool, "search", "--name", session});
        window_id = out.substr(0, out.find('\n'));
        return !window_id.empty();
      },
      30s));
  run_on({xdotool, "windowfocus", "--sync", window_id});
  // Held across frames: Dear ImGui polls key state once a frame.
  run_on({xdotool, "keydown", "--window", window_id, "ctrl"});
  run_on({xdotool, "keydown", "--window", window_id, "q"});
  std::this_thread::sleep_for(300ms);
  run_on({xdotool, "keyup", "--window", window_id, "q"});
  run_on({xdotool, "keyup", "--window", window_id, "ctrl"});
  const auto rc = app.wait_for(20s);
  REQUIRE_MESSAGE(rc.has_value(), "Ctrl+Q did not quit shmscope");
  CHECK(*rc == 0);
  CHECK(parent.running());
  parent.kill(SIGTERM);
  parent.wait_for(10s);
  shmtest::remove_segment(session);
}
