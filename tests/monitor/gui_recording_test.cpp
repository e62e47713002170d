// Recordings in the real monitor under Xvfb: the ssh-style pipe `shmipc record --out - |
// shmscope --open -` shows the live block; a recording from `shmipc record` and one from the
// monitor's Record button both open with `shmscope --open` and travel to an instant.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "gui_harness.hpp"
#include "shmipc/observer.hpp"
#include "shmipc/snapshot.hpp"
#include "shmrecord/reader.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;

namespace {

std::map<std::string, std::string> read_dump(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const auto space = line.find(' ');
    if (space != std::string::npos) out[line.substr(0, space)] = line.substr(space + 1);
  }
  return out;
}

// A number field of `shmipc status --json` ("sequence": 7).
std::uint64_t json_number(const std::string& json, const std::string& key) {
  const auto at = json.find("\"" + key + "\"");
  REQUIRE_MESSAGE(at != std::string::npos, key << " not in " << json);
  std::size_t i = json.find(':', at) + 1;
  while (json[i] == ' ') ++i;
  return std::stoull(json.substr(i));
}

std::uint64_t fnv1a(const std::vector<std::byte>& raw) {
  std::uint64_t h = 1469598103934665603ull;
  for (std::byte b : raw) h = (h ^ static_cast<std::uint8_t>(b)) * 1099511628211ull;
  return h;
}

[[noreturn]] void exec_argv(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  ::_exit(127);
}

// The segment exists before the parent has sized it: wait until an observer can open it, or a
// recorder started at once may find a block of 0 bytes.
void wait_until_observable(const std::string& session) {
  REQUIRE(shmtest::eventually(
      [&] {
        try {
          return shmipc::Observer::open(session) != nullptr;
        } catch (const std::exception&) {
          return false;
        }
      },
      10s));
}

// One child per message, a little apart, so the recorder copies the block between them.
void send_messages(const std::string& session, int n) {
  for (int i = 1; i <= n; ++i) {
    auto child = shmtest::ChildProcess::spawn({shmtest::binary_path("shmipc"), "child",
                                               "--session", session, "--send",
                                               "message number " + std::to_string(i)});
    REQUIRE(child.wait_for(60s) == 0);
    std::this_thread::sleep_for(50ms);
  }
}

// `shmscope --open FILE --at SECONDS`: what it shows is the block Reader::block_at gives there.
void check_opens_at_instant(guitest::GuiTestSetup& gui, const guitest::TempDir& dir,
                            const std::string& file, const char* what) {
  auto reader = shmrecord::Reader::open_file(file);
  CHECK_MESSAGE(reader->status().state == shmrecord::FileState::Complete, std::string(what));
  // The instant: the first copy of the block the recorder took after the third message was
  // written (the record comes first, the copy of the message area at the next poll).
  std::uint64_t written3 = 0;
  int seen = 0;
  for (const auto& it : reader->journal_all()) {
    if (it.record.kind == static_cast<std::uint16_t>(shmipc::JournalKind::MessageWritten) &&
        ++seen == 3) {
      written3 = it.record.t_ns;
    }
  }
  REQUIRE_MESSAGE(written3 != 0, std::string(what) << ": no third message in the recording");
  const auto changes = reader->changes(written3, reader->end_ns());
  REQUIRE(!changes.empty());
  const std::uint64_t t = changes.front().t_ns;
  char secs[40];
  std::snprintf(secs, sizeof(secs), "%.9f", reader->seconds_of(t));
  const std::uint64_t at = reader->time_at_seconds(std::strtod(secs, nullptr));
  const auto block = reader->block_at(at);
  REQUIRE(block.has_value());
  const shmipc::Snapshot expected = shmipc::decode_snapshot(*block);
  const std::string dump = dir.file(std::string(what) + "-dump.txt");
  auto app = shmtest::ChildProcess::spawn(gui.x->with_env(
      {shmtest::binary_path("shmscope"), "--open", file, "--at", secs, "--frames", "8",
       "--playback-dump", dump},
      dir.path()));
  const auto rc = app.wait_for(60s);
  REQUIRE_MESSAGE(rc.has_value(), std::string(what) << ": shmscope --open did not finish its frames");
  CHECK_MESSAGE(*rc == 0, std::string(what) << ": " << app.stderr_text());
  auto d = read_dump(dump);
  MESSAGE(std::string(what) << ": at " << secs << " s, message #" << d["message_sequence"] << ", "
               << d["journal_shown"] << " records in the diagram");
  CHECK(d["state"] == "complete");
  CHECK(d["t_ns"] == std::to_string(at));
  CHECK(d["message_sequence"] == std::to_string(expected.message.message_sequence));
  CHECK(expected.message.message_sequence >= 3);
  CHECK(d["block_fnv1a"] == std::to_string(fnv1a(*block)));
}

}  // namespace

TEST_CASE("shmipc record --out - piped into shmscope --open - shows the live block: the message shmipc status reports") {
  shmtest::Watchdog watchdog(180s, "recording pipe");
  guitest::GuiTestSetup gui;
  if (!gui.ready()) return;
  guitest::TempDir dir("pipe");
  const std::string session = shmtest::unique_session_name("gui-pipe");
  guitest::LiveParent parent(session);
  wait_until_observable(session);
  const std::string dump = dir.file("playback.txt");

  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const std::vector<std::string> recorder_argv{shmtest::binary_path("shmipc"), "record",
                                               "--session", session, "--out", "-"};
  auto recorder = shmtest::ChildProcess::fork([&]() -> int {
    ::dup2(fds[1], 1);
    ::close(fds[0]);
    ::close(fds[1]);
    exec_argv(recorder_argv);
  });
  const std::vector<std::string> monitor_argv = gui.x->with_env(
      {shmtest::binary_path("shmscope"), "--open", "-", "--playback-dump", dump}, dir.path());
  auto monitor = shmtest::ChildProcess::fork([&]() -> int {
    ::dup2(fds[0], 0);
    ::close(fds[0]);
    ::close(fds[1]);
    exec_argv(monitor_argv);
  });
  ::close(fds[0]);
  ::close(fds[1]);

  REQUIRE_MESSAGE(shmtest::eventually([&] { return read_dump(dump).count("state") == 1; }, 30s),
                  "the monitor never showed the stream");
  send_messages(session, 7);
  auto status = shmtest::ChildProcess::spawn(
      {shmtest::binary_path("shmipc"), "status", "--session", session, "--json"});
  REQUIRE(status.wait_for(20s) == 0);
  const std::string json = status.stdout_text();
  const std::uint64_t live_sequence = json_number(json, "sequence");
  const std::uint64_t live_size = json_number(json, "dataSize");
  CHECK(live_sequence == 7);
  std::map<std::string, std::string> d;
  const bool matched = shmtest::eventually(
      [&] {
        d = read_dump(dump);
        return d["message_sequence"] == std::to_string(live_sequence) &&
               d["data_size"] == std::to_string(live_size);
      },
      30s);
  CHECK_MESSAGE(matched, "the monitor showed message #" << d["message_sequence"] << " ("
                                                        << d["data_size"] << " bytes); live: #"
                                                        << live_sequence << " (" << live_size
                                                        << " bytes)");
  CHECK(d["state"] == "growing");
  CHECK(d["following"] == "1");
  CHECK(d["lost"] == "0");

  // The recorder stops cleanly: the stream ends with its end marker and the view says so.
  recorder.kill(SIGTERM);
  CHECK(recorder.wait_for(20s) == 0);
  CHECK(shmtest::eventually([&] { return read_dump(dump)["state"] == "complete"; }, 20s));
  CHECK(monitor.running());
  monitor.kill(SIGTERM);
  CHECK(monitor.wait_for(20s) == 0);
}

TEST_CASE("recordings from shmipc record and from the monitor's Record button open with shmscope --open at an instant, showing Reader::block_at there") {
  shmtest::Watchdog watchdog(180s, "record button");
  guitest::GuiTestSetup gui;
  if (!gui.ready()) return;
  guitest::TempDir dir("recbutton");
  const std::string session = shmtest::unique_session_name("gui-rec");
  guitest::LiveParent parent(session);
  wait_until_observable(session);
  const std::string from_button = dir.file("button.shmrec");
  const std::string from_cli = dir.file("cli.shmrec");
  guitest::MonitorWindow m(*gui.x, dir, session, gui.xdotool, {"--record-to", from_button});
  auto cli = shmtest::ChildProcess::spawn({shmtest::binary_path("shmipc"), "record", "--session",
                                           session, "--out", from_cli});
  m.click_widget("record_button");
  m.wait_for_widget("record_status");  // "REC button.shmrec  12 KB"
  send_messages(session, 6);
  std::this_thread::sleep_for(300ms);
  m.click_widget("record_button");  // Stop recording
  m.wait_for_widget("record_message");  // "saved ..."
  cli.kill(SIGTERM);
  CHECK(cli.wait_for(20s) == 0);
  CHECK(m.process().running());

  check_opens_at_instant(gui, dir, from_cli, "shmipc-record");
  check_opens_at_instant(gui, dir, from_button, "record-button");
  CHECK(m.quit() == 0);
}

TEST_CASE("in shmscope --open, real Right/Left keys step between journal records and Space plays, each instant showing Reader::block_at") {
  shmtest::Watchdog watchdog(180s, "timeline keys");
  guitest::GuiTestSetup gui;
  if (!gui.ready()) return;
  guitest::TempDir dir("keys");
  const std::string session = shmtest::unique_session_name("gui-keys");
  const std::string file = dir.file("keys.shmrec");
  {
    guitest::LiveParent parent(session);
    wait_until_observable(session);
    auto cli = shmtest::ChildProcess::spawn({shmtest::binary_path("shmipc"), "record", "--session",
                                             session, "--out", file});
    REQUIRE(shmtest::eventually([&] { return std::filesystem::exists(file); }, 10s));
    std::this_thread::sleep_for(200ms);
    send_messages(session, 3);
    cli.kill(SIGTERM);
    REQUIRE(cli.wait_for(20s) == 0);
  }
  auto reader = shmrecord::Reader::open_file(file);
  REQUIRE(reader->status().state == shmrecord::FileState::Complete);
  // The records after the start, by time: the instants Right visits one after the other.
  std::vector<std::uint64_t> times;
  for (const auto& it : reader->journal_all()) {
    if (it.record.t_ns > reader->start_ns()) times.push_back(it.record.t_ns);
  }
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  REQUIRE(times.size() > 5);

  const std::string dump = dir.file("dump.txt");
  const std::string layout = dir.file("layout.txt");
  auto app = shmtest::ChildProcess::spawn(gui.x->with_env(
      {shmtest::binary_path("shmscope"), "--open", file, "--at", "0", "--playback-dump", dump,
       "--layout-dump", layout},
      dir.path()));
  guitest::wait_for_widget(layout, "timeline_play");
  auto run = [&](const std::vector<std::string>& argv) {
    auto p = shmtest::ChildProcess::spawn(gui.x->with_env(argv, dir.path()));
    REQUIRE(p.wait_for(20s).has_value());
    return p.stdout_text();
  };
  std::string window;
  REQUIRE(shmtest::eventually(
      [&] {
        const std::string out = run({gui.xdotool, "search", "--name", "shmscope"});
        window = out.substr(0, out.find('\n'));
        return !window.empty();
      },
      20s));
  run({gui.xdotool, "windowfocus", "--sync", window});
  auto key = [&](const std::string& name) {
    run({gui.xdotool, "keydown", "--window", window, name});
    std::this_thread::sleep_for(120ms);
    run({gui.xdotool, "keyup", "--window", window, name});
    std::this_thread::sleep_for(120ms);
  };
  auto shows = [&](std::uint64_t t) {
    std::map<std::string, std::string> d;
    const bool ok = shmtest::eventually(
        [&] {
          d = read_dump(dump);
          return d["t_ns"] == std::to_string(t);
        },
        10s);
    CHECK_MESSAGE(ok, "shown t_ns " << d["t_ns"] << ", expected " << t);
    if (ok) CHECK(d["block_fnv1a"] == std::to_string(fnv1a(*reader->block_at(t))));
  };
  shows(reader->start_ns());
  for (std::size_t i = 0; i < 4; ++i) {
    key("Right");
    shows(times[i]);
  }
  key("Left");
  shows(times[2]);
  // Space plays from there at 1x; the recording's last fraction of a second is over before a
  // test could look, so what is checked is where it ends: at the end, stopped there.
  key("space");
  std::map<std::string, std::string> d;
  const bool played = shmtest::eventually(
      [&] {
        d = read_dump(dump);
        return d["t_ns"] == std::to_string(reader->end_ns()) && d["playing"] == "0";
      },
      20s);
  CHECK_MESSAGE(played, "after Space: t_ns " << d["t_ns"] << " (from " << times[2] << " to "
                                             << reader->end_ns() << "), playing "
                                             << d["playing"]);
  if (played) CHECK(d["block_fnv1a"] == std::to_string(fnv1a(*reader->block_at(reader->end_ns()))));
  app.kill(SIGTERM);
  CHECK(app.wait_for(20s) == 0);
}
