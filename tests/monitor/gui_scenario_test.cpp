// The classroom under Xvfb: shmscope runs a scenario on real processes and a teacher drives it
// with real key presses (xdotool): step forward, travel back and forward, run to the end and
// read the verdict. The app's --classroom-dump file says what it shows.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include "gui_harness.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;
using guitest::XServer;

namespace {

std::map<std::string, std::string> read_dump(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  std::string key, value;
  while (in >> key >> value) out[key] = value;
  return out;
}

int as_int(const std::map<std::string, std::string>& d, const std::string& key) {
  auto it = d.find(key);
  return it == d.end() ? -1 : std::stoi(it->second);
}

std::string run_on(const XServer& x, const std::vector<std::string>& argv,
                   const std::string& config) {
  auto p = shmtest::ChildProcess::spawn(x.with_env(argv, config));
  const auto rc = p.wait_for(20s);
  REQUIRE_MESSAGE(rc.has_value(), argv[0] << " did not finish");
  return p.stdout_text();
}

}  // namespace

TEST_CASE("a scenario run from the monitor steps forward and back with real keys and passes") {
  shmtest::Watchdog watchdog(170s, "classroom GUI test");
  const std::string xdotool = guitest::find_program("xdotool");
  if (xdotool.empty()) {
    MESSAGE("xdotool is not installed (apt-get install xdotool); the GUI test is skipped");
    return;
  }
  std::string why;
  auto x = XServer::start(why);
  if (!x) {
    MESSAGE(why);
    return;
  }
  guitest::TempDir dir("classroom");
  const std::string dump_file = dir.file("classroom.txt");
  const std::string layout_file = dir.file("layout.txt");
  auto app = shmtest::ChildProcess::spawn(
      x->with_env({shmtest::binary_path("shmscope"), "--scenario", "one-message-with-receipt",
                   "--classroom-dump", dump_file, "--layout-dump", layout_file},
                  dir.path()));

  std::map<std::string, std::string> d;
  auto wait_for = [&](auto pred, const char* what) {
    const bool ok = shmtest::eventually(
        [&] {
          d = read_dump(dump_file);
          return pred();
        },
        40s);
    REQUIRE_MESSAGE(ok, std::string(what)
                            << "; dump: steps " << as_int(d, "steps") << " shown "
                            << as_int(d, "shown") << " waiting " << as_int(d, "waiting")
                            << " verdict " << d["verdict"] << "; shmscope: " << app.stderr_text());
  };
  wait_for([&] { return d["mode"] == "scenario" && as_int(d, "waiting") == 1; },
           "the scenario never stopped for the user after its first step");
  const int first = as_int(d, "steps");
  CHECK(first >= 1);

  // Focus the window: a click on the Step panel's title bar (no button there).
  guitest::Rect step_window;
  REQUIRE(shmtest::eventually(
      [&] {
        const auto layout = guitest::read_layout(layout_file);
        auto it = layout.find("window:Step");
        if (it == layout.end()) return false;
        step_window = it->second;
        return true;
      },
      20s));
  std::string window_id;
  REQUIRE(shmtest::eventually(
      [&] {
        std::this_thread::sleep_for(100ms);
        const std::string out = run_on(*x, {xdotool, "search", "--name", "shmscope"}, dir.path());
        window_id = out.substr(0, out.find('\n'));
        return !window_id.empty();
      },
      20s));
  // The title names the scenario, not the default session the window would attach to.
  CHECK(shmtest::eventually(
      [&] {
        const std::string title = run_on(*x, {xdotool, "getwindowname", window_id}, dir.path());
        return title.find("scenario ") != std::string::npos &&
               title.find("KBuildDevelop") == std::string::npos;
      },
      10s));
  run_on(*x,
         {xdotool, "mousemove", "--window", window_id, std::to_string(step_window.cx()),
          std::to_string(step_window.y0 + 4)},
         dir.path());
  run_on(*x, {xdotool, "click", "1"}, dir.path());
  auto key = [&](const std::string& name) {
    std::this_thread::sleep_for(150ms);  // one key per frame or two, as a person types
    // Dear ImGui 1.86 samples key state once per frame: press and release in different frames.
    run_on(*x, {xdotool, "keydown", name}, dir.path());
    std::this_thread::sleep_for(120ms);
    run_on(*x, {xdotool, "keyup", name}, dir.path());
  };

  // Space twice: two more steps happen, each waiting for the next press.
  key("space");
  wait_for([&] { return as_int(d, "steps") > first && as_int(d, "waiting") == 1; },
           "Space did not grant a step");
  const int second = as_int(d, "steps");
  key("space");
  wait_for([&] { return as_int(d, "steps") > second && as_int(d, "waiting") == 1; },
           "the second Space did not grant a step");
  const int now = as_int(d, "steps");
  CHECK(as_int(d, "shown") == now);

  // Back twice: the panels show the past, and no step happens meanwhile.
  key("Left");
  wait_for([&] { return as_int(d, "shown") == now - 1; }, "Left did not go back one step");
  CHECK(as_int(d, "past") == 1);
  key("BackSpace");
  wait_for([&] { return as_int(d, "shown") == now - 2; }, "Backspace did not go back");
  CHECK(as_int(d, "steps") == now);

  // Forward twice: back at the newest step, following it again.
  key("Right");
  wait_for([&] { return as_int(d, "shown") == now - 1; }, "Right did not go forward");
  key("Right");
  wait_for([&] { return as_int(d, "shown") == now && as_int(d, "past") == 0; },
           "Right did not come back to the newest step");
  CHECK(as_int(d, "steps") == now);

  // R runs the rest: the verdict is the scenario's expected outcome.
  key("r");
  wait_for([&] { return d["verdict"] != "none" && as_int(d, "running") == 0; },
           "R did not run the scenario to its end");
  CHECK(d["verdict"] == "pass");
  CHECK(as_int(d, "steps") > now);

  // Exports: the run's journal as a Chrome trace, the diagram as a PNG, at typed paths.
  auto widget = [&](const std::string& name) {
    return guitest::wait_for_widget(layout_file, name);
  };
  auto click = [&](const guitest::Rect& r) {
    run_on(*x,
           {xdotool, "mousemove", "--window", window_id, std::to_string(r.cx()),
            std::to_string(r.cy())},
           dir.path());
    std::this_thread::sleep_for(100ms);
    run_on(*x, {xdotool, "mousedown", "1"}, dir.path());
    std::this_thread::sleep_for(120ms);
    run_on(*x, {xdotool, "mouseup", "1"}, dir.path());
  };
  auto type_into = [&](const std::string& field, const std::string& text) {
    click(widget(field));
    key("ctrl+a");
    run_on(*x, {xdotool, "type", "--delay", "30", text}, dir.path());
    key("Return");
  };
  // The verdict just grew the Lesson panel: click where the header is now, until it opens.
  bool opened = false;
  for (int attempt = 0; attempt < 5 && !opened; ++attempt) {
    std::this_thread::sleep_for(300ms);
    click(widget("exports"));
    opened = shmtest::eventually(
        [&] { return guitest::read_layout(layout_file).count("export_trace_path") == 1; }, 3s);
  }
  REQUIRE_MESSAGE(opened, "the Exports header did not open");
  const std::string trace = dir.file("trace.json");
  const std::string png = dir.file("diagram.png");
  auto file_text = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  // Type the path, press the button; the panel may still be settling after it opened, so a
  // click that missed is repeated (the file is the evidence, not the click).
  auto export_to = [&](const std::string& field, const std::string& button, const std::string& path,
                       std::size_t min_size) {
    bool written = false;
    for (int attempt = 0; attempt < 3 && !written; ++attempt) {
      std::this_thread::sleep_for(400ms);
      type_into(field, path);
      std::this_thread::sleep_for(200ms);
      click(widget(button));
      written = shmtest::eventually([&] { return file_text(path).size() > min_size; }, 5s);
    }
    const auto dump = read_dump(dump_file);
    REQUIRE_MESSAGE(written, "nothing written at " << path << "; result " << dump.at("result")
                                                   << " error " << dump.at("error"));
  };
  export_to("export_trace_path", "export_trace", trace, 100);
  export_to("export_diagram_path", "export_diagram", png, 1000);
  std::this_thread::sleep_for(200ms);  // written in one go; let it close
  const std::string json = file_text(trace);
  CHECK(json.find("\"traceEvents\"") != std::string::npos);
  CHECK(json.find("\"ph\": \"X\"") != std::string::npos);   // lock holds as slices
  CHECK(json.find("\"parent (pid ") != std::string::npos);  // tracks named by actor
  CHECK(file_text(png).substr(1, 3) == "PNG");

  // F5: presentation mode.
  key("F5");
  wait_for([&] { return as_int(d, "presentation") == 1; }, "F5 did not turn presentation on");

  app.kill(SIGTERM);
  const auto rc = app.wait_for(20s);
  CHECK_MESSAGE(rc == std::optional<int>(0), "shmscope: " << app.stderr_text());
}

TEST_CASE("live step mode on peers started by hand: steps with Space, a killed peer shows dead") {
  shmtest::Watchdog watchdog(170s, "live step mode GUI test");
  const std::string xdotool = guitest::find_program("xdotool");
  if (xdotool.empty()) {
    MESSAGE("xdotool is not installed (apt-get install xdotool); the GUI test is skipped");
    return;
  }
  std::string why;
  auto x = XServer::start(why);
  if (!x) {
    MESSAGE(why);
    return;
  }
  guitest::TempDir dir("livestep");
  const std::string session = shmtest::unique_session_name("gui-step");
  auto parent = shmtest::ChildProcess::spawn(
      {shmtest::binary_path("shmipc"), "parent", "--session", session});
  REQUIRE(shmtest::eventually([&] { return shmtest::segment_exists(session); }, 10s));
  auto child = shmtest::ChildProcess::spawn({shmtest::binary_path("shmipc"), "child", "--session",
                                             session, "--send", "tick", "--every", "0.2"});
  REQUIRE(shmtest::eventually(
      [&] { return parent.stdout_text().find("child started") != std::string::npos; }, 20s));

  const std::string dump_file = dir.file("classroom.txt");
  const std::string layout_file = dir.file("layout.txt");
  auto app = shmtest::ChildProcess::spawn(
      x->with_env({shmtest::binary_path("shmscope"), "--session", session, "--classroom",
                   "--classroom-dump", dump_file, "--layout-dump", layout_file},
                  dir.path()));
  std::map<std::string, std::string> d;
  auto wait_for = [&](auto pred, const char* what) {
    const bool ok = shmtest::eventually(
        [&] {
          d = read_dump(dump_file);
          return pred();
        },
        40s);
    REQUIRE_MESSAGE(ok, std::string(what)
                            << "; dump: mode " << d["mode"] << " steps " << as_int(d, "steps")
                            << " pending " << as_int(d, "pending") << " dead " << as_int(d, "dead")
                            << "; shmscope: " << app.stderr_text());
  };
  guitest::Rect box;
  REQUIRE(shmtest::eventually(
      [&] {
        const auto layout = guitest::read_layout(layout_file);
        auto it = layout.find("step_mode");
        if (it == layout.end()) return false;
        box = it->second;
        return true;
      },
      20s));
  std::string window_id;
  REQUIRE(shmtest::eventually(
      [&] {
        std::this_thread::sleep_for(100ms);
        const std::string out = run_on(*x, {xdotool, "search", "--name", session}, dir.path());
        window_id = out.substr(0, out.find('\n'));
        return !window_id.empty();
      },
      20s));
  run_on(*x,
         {xdotool, "mousemove", "--window", window_id, std::to_string(box.cx()),
          std::to_string(box.cy())},
         dir.path());
  std::this_thread::sleep_for(100ms);
  run_on(*x, {xdotool, "mousedown", "1"}, dir.path());
  std::this_thread::sleep_for(120ms);
  run_on(*x, {xdotool, "mouseup", "1"}, dir.path());
  wait_for([&] { return d["mode"] == "live" && as_int(d, "pending") >= 1; },
           "step mode did not park a peer");
  auto key = [&](const std::string& name) {
    std::this_thread::sleep_for(150ms);
    run_on(*x, {xdotool, "keydown", name}, dir.path());
    std::this_thread::sleep_for(120ms);
    run_on(*x, {xdotool, "keyup", name}, dir.path());
  };
  for (int i = 1; i <= 3; ++i) {
    key("space");
    wait_for([&] { return as_int(d, "steps") >= i && as_int(d, "pending") >= 1; },
             "Space did not grant one parked action");
  }
  CHECK(as_int(d, "steps") == 3);  // one grant per press, nothing granted by itself
  // Step on until the child is the one parked (the parent may be parked first).
  for (int i = 0; i < 20 && d["parked"].find("child") == std::string::npos; ++i) {
    const int before = as_int(d, "steps");
    key("space");
    wait_for([&] { return as_int(d, "steps") > before && as_int(d, "pending") >= 1; },
             "Space did not grant a parked action");
  }
  REQUIRE(d["parked"].find("child") != std::string::npos);

  // A peer killed while parked: shown dead, and the monitor keeps going.
  std::this_thread::sleep_for(300ms);
  child.kill(SIGKILL);
  child.wait_for(10s);
  wait_for([&] { return d["parked"].find("child-dead") != std::string::npos; },
           "the child killed while parked is not shown dead");
  key("space");  // nothing alive to grant, or the parent: must not hang either way
  key("Left");
  wait_for([&] { return as_int(d, "past") == 1; }, "Left did not travel back in live step mode");

  app.kill(SIGTERM);
  const auto rc = app.wait_for(20s);
  CHECK_MESSAGE(rc == std::optional<int>(0), "shmscope: " << app.stderr_text());
  // Closing the monitor turned step mode off: the parent runs freely again.
  CHECK_FALSE(parent.wait_for(500ms).has_value());
  parent.kill(SIGTERM);
  parent.wait_for(10s);
  shmtest::remove_segment(session);
}
