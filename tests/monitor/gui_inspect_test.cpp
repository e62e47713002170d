// `shmscope --segment` on a real program's segment under Xvfb: the program (tests/inspect/
// inspect_target, built with -g) writes a known pattern; the monitor decodes it through the
// program's own DWARF, shows a changing field changing, and a watch condition typed with real
// keyboard input pauses the view.
#include <doctest/doctest.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "gui_harness.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;
using guitest::XServer;

namespace {

std::map<std::string, std::string> read_dump(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const auto space = line.find(' ');
    if (space == std::string::npos) {
      out[line] = "";
      continue;
    }
    std::string key = line.substr(0, space);
    std::string rest = line.substr(space + 1);
    if (key == "value" || key == "changes") {
      const auto second = rest.find(' ');
      key += ":" + rest.substr(0, second);
      rest = second == std::string::npos ? "" : rest.substr(second + 1);
    }
    out[key] = rest;
  }
  return out;
}

std::string run_on(const XServer& x, const std::vector<std::string>& argv, const std::string& home) {
  auto p = shmtest::ChildProcess::spawn(x.with_env(argv, home));
  const auto rc = p.wait_for(20s);
  REQUIRE_MESSAGE(rc.has_value(), argv[0] << " did not finish");
  return p.stdout_text();
}

// The test program writing step k every `ms` milliseconds to /dev/shm/NAME.
shmtest::ChildProcess start_target(const std::string& name, int ms) {
  auto target = shmtest::ChildProcess::spawn(
      {shmtest::binary_path("inspect_target"), name, "--run", std::to_string(ms)});
  REQUIRE_MESSAGE(shmtest::eventually(
                      [&] { return target.stdout_text().find("ready") != std::string::npos; }, 10s),
                  "inspect_target did not start: " << target.stderr_text());
  return target;
}

}  // namespace

TEST_CASE("shmscope decodes a live program segment through its DWARF and a typed watch pauses it") {
  shmtest::Watchdog watchdog(150s, "inspect GUI test");
  const std::string xdotool = guitest::find_program("xdotool");
  std::string why;
  auto x = XServer::start(why);
  if (!x || xdotool.empty()) {
    if (xdotool.empty()) {
      MESSAGE("xdotool is not installed; the GUI test is skipped");
    } else {
      MESSAGE(why);
    }
    return;
  }
  guitest::TempDir dir("inspect");
  const std::string name = "shmscope-inspect-gui-" + std::to_string(::getpid());
  auto target = start_target(name, 30);
  const std::string dump = dir.file("inspect.txt");
  const std::string layout = dir.file("layout.txt");
  auto app = shmtest::ChildProcess::spawn(x->with_env(
      {shmtest::binary_path("shmscope"), "--segment", name, "--type", "demo::Sample", "--from",
       shmtest::binary_path("inspect_target"), "--seqlock", "seq", "--inspect-dump", dump,
       "--layout-dump", layout},
      dir.path()));

  // The tree shows the struct's fields, decoded through DWARF: the text field reads "step-K"
  // and seq is 2K for the same K (the writer's seqlock keeps the copy consistent).
  guitest::wait_for_widget(layout, "inspect_row:seq");
  guitest::wait_for_widget(layout, "inspect_row:name");
  std::string first_seq;
  REQUIRE_MESSAGE(shmtest::eventually(
                      [&] {
                        const auto d = read_dump(dump);
                        auto it = d.find("value:seq");
                        if (it == d.end()) return false;
                        first_seq = it->second;
                        return d.count("value:flags.ready") == 1 && d.count("value:pos.x") == 1;
                      },
                      20s),
                  "no decoded values in " << dump << "; shmscope: " << app.stderr_text());
  {
    // One consistent copy (--seqlock seq): the text and the counter come from the same step.
    auto d = read_dump(dump);
    const std::string name_text = d["value:name"];  // "step-K" with its quotes
    REQUIRE(name_text.size() > 7);
    const std::uint64_t k = std::stoull(name_text.substr(6, name_text.size() - 7));
    if (d["paused"] == "0") CHECK_MESSAGE(std::stoull(d["value:seq"]) == 2 * k, name_text << " with seq " << d["value:seq"]);
  }
  // A changing field is shown changing: its value moves on and the monitor counts its changes.
  CHECK_MESSAGE(shmtest::eventually(
                    [&] {
                      const auto d = read_dump(dump);
                      return d.count("value:seq") && d.at("value:seq") != first_seq &&
                             d.count("changes:seq") && std::stoull(d.at("changes:seq")) >= 3;
                    },
                    20s),
                "seq never changed on screen: " << read_dump(dump)["value:seq"]);

  // Type a watch condition through the real keyboard and press Watch.
  std::string window_id;
  REQUIRE(shmtest::eventually(
      [&] {
        std::this_thread::sleep_for(100ms);
        const std::string out = run_on(*x, {xdotool, "search", "--name", name}, dir.path());
        window_id = out.substr(0, out.find('\n'));
        return !window_id.empty();
      },
      30s));
  auto click = [&](const guitest::Rect& r) {
    run_on(*x, {xdotool, "mousemove", "--window", window_id, std::to_string(r.cx()), std::to_string(r.cy())},
           dir.path());
    std::this_thread::sleep_for(100ms);
    run_on(*x, {xdotool, "mousedown", "1"}, dir.path());
    std::this_thread::sleep_for(100ms);
    run_on(*x, {xdotool, "mouseup", "1"}, dir.path());
  };
  click(guitest::wait_for_widget(layout, "inspect_watch_input"));
  run_on(*x, {xdotool, "type", "--delay", "30", "temperature > 10000"}, dir.path());
  click(guitest::wait_for_widget(layout, "inspect_watch_set"));
  REQUIRE_MESSAGE(shmtest::eventually([&] { return read_dump(dump)["watch"] == "temperature > 10000"; }, 20s),
                  "the typed watch was not set: " << read_dump(dump)["watch"] << " / "
                                                   << read_dump(dump)["watch_error"]);
  // A condition that cannot hold yet never pauses; replace it with one that fires at once.
  CHECK(read_dump(dump)["paused"] == "0");
  click(guitest::wait_for_widget(layout, "inspect_watch_clear"));
  REQUIRE(shmtest::eventually([&] { return read_dump(dump)["watch"].empty(); }, 20s));
  click(guitest::wait_for_widget(layout, "inspect_watch_input"));
  run_on(*x, {xdotool, "type", "--delay", "30", "seq jumps by more than 1"}, dir.path());
  click(guitest::wait_for_widget(layout, "inspect_watch_set"));
  REQUIRE_MESSAGE(shmtest::eventually([&] { return read_dump(dump)["paused_by_watch"] == "1"; }, 20s),
                  "the watch never paused the view: " << read_dump(dump)["watch"] << " / "
                                                       << read_dump(dump)["watch_error"]);
  auto d = read_dump(dump);
  CHECK(d["watch"] == "seq jumps by more than 1");
  CHECK(d["last_mark"].find("seq") != std::string::npos);
  // Paused: the shown values hold still while the program keeps writing.
  const std::string held = d["value:seq"];
  std::this_thread::sleep_for(300ms);
  CHECK(read_dump(dump)["value:seq"] == held);
  CHECK(read_dump(dump)["paused"] == "1");

  click(guitest::wait_for_widget(layout, "inspect_resume"));
  CHECK_MESSAGE(shmtest::eventually([&] { return read_dump(dump)["paused"] == "0"; }, 20s),
                "Resume did not resume the view");
  // Following the segment again: seq moves on past the held value.
  CHECK(shmtest::eventually([&] { return read_dump(dump)["value:seq"] != held; }, 20s));

  app.kill(SIGTERM);
  const auto rc = app.wait_for(20s);
  CHECK_MESSAGE(rc == std::optional<int>(0), "shmscope: " << app.stderr_text());
  target.kill(SIGTERM);
  target.wait_for(5s);
}

TEST_CASE("shmscope names what is wrong with a missing segment or an unknown type and exits 6") {
  shmtest::Watchdog watchdog(60s, "inspect errors");
  auto missing = shmtest::ChildProcess::spawn(
      {shmtest::binary_path("shmscope"), "--segment", "shmscope-no-such-segment-here"});
  CHECK(missing.wait_for(20s) == std::optional<int>(6));
  CHECK_MESSAGE(missing.stderr_text().find("shmscope-no-such-segment-here") != std::string::npos,
                missing.stderr_text());

  const std::string name = "shmscope-inspect-err-" + std::to_string(::getpid());
  auto target = start_target(name, 1000);
  auto wrong = shmtest::ChildProcess::spawn({shmtest::binary_path("shmscope"), "--segment", name, "--type",
                                             "demo::Sampel", "--from", shmtest::binary_path("inspect_target")});
  CHECK(wrong.wait_for(20s) == std::optional<int>(6));
  CHECK_MESSAGE(wrong.stderr_text().find("demo::Sample") != std::string::npos,
                "no close match named: " << wrong.stderr_text());
  target.kill(SIGTERM);
  target.wait_for(5s);
}
