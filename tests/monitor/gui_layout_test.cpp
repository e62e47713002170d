// The live and classroom layouts under real input on a real window: switching modes, resizing
// the window, moving a panel and "Reset layout" never leave two panels on top of each other or
// a panel outside the window, and a broken arrangement never comes back on the next start.
#include <doctest/doctest.h>
#include <signal.h>

#include <thread>

#include "gui_harness.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;

namespace {

const std::vector<std::string> kLivePanels{"Block", "Sequence_diagram", "Metrics", "Act",
                                           "Participants", "Events", "Mutex"};
const std::vector<std::string> kClassroomPanels{"Lesson", "Step", "Sequence_diagram", "Block",
                                                "Events", "Mutex", "Participants"};

struct Layout {
  std::map<std::string, guitest::Rect> all;
  guitest::Rect viewport;
  bool has(const std::string& window) const { return all.count("window:" + window) != 0; }
  guitest::Rect panel(const std::string& window) const { return all.at("window:" + window); }
};

Layout read_dump(const std::string& file) {
  Layout l;
  l.all = guitest::read_layout(file);
  if (auto it = l.all.find("viewport"); it != l.all.end()) l.viewport = it->second;
  return l;
}

int overlap(const guitest::Rect& a, const guitest::Rect& b) {
  const int w = std::min(a.x1, b.x1) - std::max(a.x0, b.x0);
  const int h = std::min(a.y1, b.y1) - std::max(a.y0, b.y0);
  return w > 0 && h > 0 ? w * h : 0;
}

// Every panel of the mode is shown, inside the work area, and no two share more than an edge.
std::string layout_problem(const Layout& l, const std::vector<std::string>& panels) {
  for (const auto& p : panels) {
    if (!l.has(p)) return p + " is not shown";
    const auto r = l.panel(p);
    const auto& v = l.viewport;
    if (r.x0 < v.x0 - 1 || r.y0 < v.y0 - 1 || r.x1 > v.x1 + 1 || r.y1 > v.y1 + 1) {
      return p + " leaves the window (" + std::to_string(r.x0) + "," + std::to_string(r.y0) + " - " +
             std::to_string(r.x1) + "," + std::to_string(r.y1) + " in " + std::to_string(v.x1) + "x" +
             std::to_string(v.y1) + ")";
    }
    for (const auto& q : panels) {
      if (q <= p || !l.has(q)) continue;
      if (const int area = overlap(r, l.panel(q)); area > 4 * (r.x1 - r.x0 + r.y1 - r.y0)) {
        return p + " and " + q + " overlap (" + std::to_string(area) + " px)";
      }
    }
  }
  return "";
}

}  // namespace

TEST_CASE("Mode switches, window resizes, a moved panel and Reset layout never leave panels overlapping") {
  shmtest::Watchdog watchdog(240s, "layout test");
  guitest::GuiTestSetup gui;
  if (!gui.ready()) return;
  auto& x = gui.x;
  const std::string& xdotool = gui.xdotool;
  guitest::TempDir dir("layout");
  const std::string session = shmtest::unique_session_name("gui-layout");
  guitest::LiveParent parent(session);
  {
    guitest::MonitorWindow m(*x, dir, session, xdotool);
    auto live_ok = [](const Layout& l) { return layout_problem(l, kLivePanels).empty(); };
    Layout l = m.wait(read_dump, live_ok, "the first live layout has every panel, none overlapping");
    CHECK(layout_problem(l, kLivePanels) == "");

    // The classroom twice (the reported case), then back to live.
    for (int round = 0; round < 2; ++round) {
      m.click_widget("menu_classroom");
      l = m.wait(read_dump, [](const Layout& c) { return c.has("Lesson"); }, "the classroom opened");
      l = m.wait(read_dump, [](const Layout& c) { return layout_problem(c, kClassroomPanels).empty(); },
                 "the classroom layout settles");
      CHECK(layout_problem(l, kClassroomPanels) == "");
      m.click_widget("menu_classroom");
      l = m.wait(read_dump, [&](const Layout& c) { return !c.has("Lesson") && live_ok(c); },
                 "the live layout is back with every panel");
      CHECK(layout_problem(l, kLivePanels) == "");
    }

    // A small window, then the usual size again.
    for (const auto& [w, h] : {std::pair{800, 500}, std::pair{1440, 900}}) {
      CAPTURE(w);
      m.resize(w, h);
      l = m.wait(read_dump, [&](const Layout& c) { return c.viewport.x1 == w && c.viewport.y1 == h && live_ok(c); },
                 "the live layout follows the window's size");
      CHECK(l.viewport.x1 == w);
      CHECK(layout_problem(l, kLivePanels) == "");
    }

    // The user moves the Block panel by its title bar: it stays where they put it, even over a
    // window resize, until File > Reset layout.
    const auto block = l.panel("Block");
    m.drag(block.x0 + 60, block.y0 + (block.title_bottom - block.y0) / 2, block.x0 + 260,
           block.y0 + 120);
    l = m.wait(read_dump, [&](const Layout& c) { return c.has("Block") && c.panel("Block").x0 > block.x0 + 100; },
               "the dragged Block panel moved");
    const auto moved = l.panel("Block");
    m.resize(1400, 880);
    l = m.wait(read_dump, [](const Layout& c) { return c.viewport.x1 == 1400; }, "the window shrank");
    std::this_thread::sleep_for(300ms);
    l = read_dump(dir.file("layout.txt"));
    CHECK(std::abs(l.panel("Block").x0 - moved.x0) <= 2);  // the user's arrangement is kept
    CHECK(l.panel("Block").x1 <= l.viewport.x1 + 1);
    m.click_widget("menu_file");
    m.click_widget("menu_reset_layout");
    l = m.wait(read_dump, [&](const Layout& c) { return c.has("Block") && c.panel("Block").x0 <= 1 && live_ok(c); },
               "Reset layout tiles every panel again");
    CHECK(layout_problem(l, kLivePanels) == "");

    // Leave the monitor in the classroom, the window small: the next start is still sound.
    m.resize(900, 600);
    m.click_widget("menu_classroom");
    m.wait(read_dump, [](const Layout& c) { return c.has("Lesson"); }, "the classroom opened");
    m.quit();
  }
  std::filesystem::remove(dir.file("layout.txt"));
  {
    guitest::MonitorWindow m(*x, dir, session, xdotool);
    const Layout l = m.wait(read_dump, [](const Layout& c) { return layout_problem(c, kLivePanels).empty(); },
                            "the next start has a sound live layout");
    CHECK(layout_problem(l, kLivePanels) == "");
    m.quit();
  }
}

TEST_CASE("Presentation mode fits a projector's 1280x720 and 1920x1080: its panels neither overlap nor cut their content off") {
  shmtest::Watchdog watchdog(240s, "presentation layout test");
  guitest::GuiTestSetup gui;
  if (!gui.ready()) return;
  auto& x = gui.x;
  const std::string& xdotool = gui.xdotool;
  const std::vector<std::string> presentation{"Sequence_diagram", "Step", "Block", "Mutex", "Events"};
  for (const auto& [w, h] : {std::pair{1280, 720}, std::pair{1920, 1080}}) {
    CAPTURE(w);
    guitest::TempDir dir("present");
    std::filesystem::create_directories(dir.path() + "/shmscope");
    std::ofstream(dir.path() + "/shmscope/window.txt") << w << ' ' << h << '\n';
    // Xvfb's screen is 1600x1000: the 1920x1080 window is larger than it, which X allows.
    // Paused before the first step, then run: the block's "waiting for the first snapshot" and a
    // session in full swing each have to fit (the first was once wider than its panel).
    guitest::MonitorWindow m(*x, dir, shmtest::unique_session_name("gui-present"), xdotool,
                             {"--scenario", "6", "--presentation", "--run-steps", "0"});
    const auto settled = [&](const Layout& c) {
      return c.viewport.x1 == w && layout_problem(c, presentation).empty() && !c.has("Lesson") &&
             !c.has("Act");
    };
    const auto check_fits = [&](const Layout& l) {
      CHECK(layout_problem(l, presentation) == "");
      CHECK_FALSE(l.has("Lesson"));
      for (const auto& p : presentation) {
        CAPTURE(p);
        const auto content = l.all.find("content:" + p);
        REQUIRE(content != l.all.end());
        CHECK(content->second.x0 <= content->second.y0 + 1);  // content width <= room
      }
    };
    check_fits(m.wait(read_dump, settled, "the presentation layout settles with its five panels"));
    m.click_widget("step_run");
    check_fits(m.wait(
        read_dump, [&](const Layout& c) { return settled(c) && c.all.count("sequence_last_row") != 0; },
        "the diagram shows the session's records"));
    m.quit();
  }
}
