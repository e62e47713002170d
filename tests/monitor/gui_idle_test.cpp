// The monitor redraws when the block changes or the user acts, not on a timer: on a quiet
// session it draws (almost) nothing, and a message wakes it at once.
#include <doctest/doctest.h>

#include <thread>

#include "gui_harness.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;

namespace {

int frames_drawn(const std::string& layout_file) {
  const auto layout = guitest::read_layout(layout_file);
  const auto it = layout.find("frames_drawn");
  return it == layout.end() ? -1 : it->second.x0;
}

}  // namespace

TEST_CASE("A monitor on a quiet session draws no frames until a message arrives, then draws at once") {
  shmtest::Watchdog watchdog(180s, "idle monitor");
  guitest::GuiTestSetup gui;
  if (!gui.ready()) return;
  guitest::TempDir dir("idle");
  const std::string session = shmtest::unique_session_name("gui-idle");
  guitest::LiveParent parent(session);
  guitest::MonitorWindow m(*gui.x, dir, session, gui.xdotool);
  // Once the start-up frames are over, three seconds pass with at most one frame (the
  // ten-second refresh of the ages on screen may fall into them).
  int before = 0;
  REQUIRE(shmtest::eventually(
      [&] {
        before = frames_drawn(m.layout_file());
        std::this_thread::sleep_for(3s);
        return frames_drawn(m.layout_file()) - before <= 1;
      },
      60s));
  MESSAGE("quiet: " << frames_drawn(m.layout_file()) - before << " frame(s) in 3 s");
  auto child = shmtest::ChildProcess::spawn({shmtest::binary_path("shmipc"), "child", "--session",
                                             session, "--send", "wake up", "--timeout", "20"});
  REQUIRE(child.wait_for(30s) == std::optional<int>(0));
  // A change is drawn at full rate, then fades: many frames, where the refresh gives one.
  const int quiet = frames_drawn(m.layout_file());
  CHECK(shmtest::eventually([&] { return frames_drawn(m.layout_file()) >= quiet + 5; }, 10s));
  MESSAGE("after the message: " << frames_drawn(m.layout_file()) - quiet << " frames");
  m.quit();
}
