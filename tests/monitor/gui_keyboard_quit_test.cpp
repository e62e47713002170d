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
  guitest::GuiTestSetup gui;
  if (!gui.ready()) return;
  guitest::TempDir dir("quit");
  const std::string session = shmtest::unique_session_name("gui-quit");
  guitest::LiveParent parent(session);
  guitest::MonitorWindow m(*gui.x, dir, session, gui.xdotool);
  m.wait_for_widget("menu_help");
  CHECK(m.quit() == 0);
  CHECK(parent.running());
}
