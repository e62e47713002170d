// With no session to look at, the window starts one itself: "Start session as parent" in the
// Act panel creates the session with the monitor as its parent, and a real `shmipc child`
// started afterwards talks to it.
#include <doctest/doctest.h>
#include <signal.h>

#include <thread>

#include "gui_harness.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;

TEST_CASE("Start session as parent creates the session with the window as parent, and a real child talks to it") {
  shmtest::Watchdog watchdog(180s, "start session");
  guitest::GuiTestSetup gui;
  if (!gui.ready()) return;
  auto& x = gui.x;
  const std::string& xdotool = gui.xdotool;
  guitest::TempDir dir("start");
  const std::string session = shmtest::unique_session_name("gui-start");
  REQUIRE_FALSE(shmtest::segment_exists(session));
  guitest::MonitorWindow m(*x, dir, session, xdotool);
  m.click_widget("start_session_parent");
  REQUIRE(shmtest::eventually([&] { return shmtest::segment_exists(session); }, 20s));
  // The parent slot belongs to the monitor's own process.
  std::string status;
  REQUIRE(shmtest::eventually(
      [&] {
        auto s = shmtest::ChildProcess::spawn(
            {shmtest::binary_path("shmipc"), "status", "--session", session, "--json"});
        if (!s.wait_for(10s).has_value()) return false;
        status = s.stdout_text();
        return status.find("\"pid\": " + std::to_string(m.process().pid())) != std::string::npos;
      },
      20s));
  auto child = shmtest::ChildProcess::spawn({shmtest::binary_path("shmipc"), "child", "--session",
                                             session, "--send", "hello from a terminal", "--timeout", "20"});
  const auto rc = child.wait_for(30s);
  REQUIRE(rc.has_value());
  CHECK_MESSAGE(*rc == 0, child.stdout_text() << child.stderr_text());
  CHECK(child.stdout_text().find("received by the parent") != std::string::npos);
  m.quit();
  // The window was the last member: leaving removed the session.
  CHECK(shmtest::eventually([&] { return !shmtest::segment_exists(session); }, 10s));
  shmtest::remove_segment(session);
}
