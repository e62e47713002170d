// Recordings in the monitor: the playback feeds the same SessionHistory as a live session (the
// block at an instant is exactly Reader::block_at there), the timeline bar and its keys, gaps
// and a truncated file shown, acting off; and the Record button's recorder on a real session.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <thread>

#include "panel_fixtures.hpp"
#include "panels/panels.hpp"
#include "panels/sequence_view.hpp"
#include "replay/live_recording.hpp"
#include "replay/playback.hpp"
#include "replay/timeline_view.hpp"
#include "shmipc/clock.hpp"
#include "shmipc/observer.hpp"
#include "shmrecord/reader.hpp"
#include "shmrecord/recorder.hpp"
#include "shmrecord/writer.hpp"
#include "test_process.hpp"

using namespace paneltest;
using namespace shmscope;
using namespace std::chrono_literals;

namespace {

std::string temp_path(const std::string& label) {
  return "/tmp/shmscope-timeline-" + label + "-" + std::to_string(::getpid()) + ".shmrec";
}

// A real parent and child exchanging `messages` messages, recorded by the rec library's
// Recorder (as `shmipc record` and the Record button do) into `path`.
void record_real_exchange(const std::string& path, int messages) {
  const std::string session = shmtest::unique_session_name("timeline");
  auto parent = shmtest::ChildProcess::spawn(
      {shmtest::binary_path("shmipc"), "parent", "--session", session});
  // The segment exists before the parent has sized it: wait until an observer can open it.
  REQUIRE(shmtest::eventually(
      [&] {
        try {
          return shmipc::Observer::open(session) != nullptr;
        } catch (const std::exception&) {
          return false;
        }
      },
      10s));
  {
    LiveRecording rec(session, path);
    std::vector<std::string> argv{shmtest::binary_path("shmipc"), "child", "--session", session,
                                  };
    for (int i = 1; i <= messages; ++i) {
      argv.push_back("--send");
      argv.push_back("message " + std::to_string(i));
    }
    auto child = shmtest::ChildProcess::spawn(argv);
    REQUIRE(child.wait_for(30s) == 0);
    std::this_thread::sleep_for(300ms);  // the last receipt's records reach the recorder
    CHECK(rec.running());
    rec.stop();
    CHECK(rec.error().empty());
  }
  parent.kill(SIGTERM);
  parent.wait_for(10s);
  shmtest::remove_segment(session);
}

std::vector<std::byte> shown_raw(const Playback& p) {
  REQUIRE(p.history().latest() != nullptr);
  return p.history().latest()->raw;
}

shmipc::JournalItem record(std::uint64_t seq, std::uint64_t t, shmipc::JournalKind kind) {
  shmipc::JournalItem it;
  it.seq = seq;
  it.record.t_ns = t;
  it.record.pid = kChildPid;
  it.record.tid = kChildPid;
  it.record.kind = static_cast<std::uint16_t>(kind);
  it.record.role = static_cast<std::uint8_t>(shmipc::Role::Child);
  return it;
}

// A file for shmrecord::Writer, and the header of a recording of the fake two-peer session
// starting at kT0.
int create_recording(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  return fd;
}

shmrecord::RecordingInfo fake_session_info(const std::string& session) {
  shmrecord::RecordingInfo info;
  info.session = session;
  info.host = "testhost";
  info.block_size = static_cast<std::uint32_t>(sizeof(shmipc::Block));
  info.layout_version = shmipc::kLayoutVersion;
  info.start_monotonic_ns = kT0;
  return info;
}

// A recording written by shmrecord::Writer: a full copy, records 0-4, a gap of 10 (5-14),
// records 15-19, and no end marker (as a recorder killed mid-run leaves it).
std::string write_truncated_with_gap() {
  const std::string path = temp_path("gap");
  const int fd = create_recording(path);
  const shmrecord::RecordingInfo info = fake_session_info("gapped");
  {
    shmrecord::Writer w(fd, info);
    const FakeBlock b = two_peers();
    w.full_block(kT0, b.raw());
    std::vector<shmipc::JournalItem> first, second;
    for (std::uint64_t s = 0; s < 5; ++s) first.push_back(record(s, kT0 + (s + 1) * kMs, shmipc::JournalKind::Note));
    w.journal(first);
    w.gap(kT0 + 50 * kMs, 5, 10);
    for (std::uint64_t s = 15; s < 20; ++s) second.push_back(record(s, kT0 + (s + 50) * kMs, shmipc::JournalKind::Note));
    w.journal(second);
    w.flush();
  }
  ::close(fd);
  return path;
}

}  // namespace

TEST_CASE("a recording of a real session plays back: the block shown at any instant is Reader::block_at there") {
  shmtest::Watchdog dog(120s, "playback equality");
  const std::string path = temp_path("real");
  record_real_exchange(path, 12);
  auto reader = shmrecord::Reader::open_file(path);
  REQUIRE(reader->status().state == shmrecord::FileState::Complete);
  Playback p(shmrecord::Reader::open_file(path), path, false);

  // The instants that matter: every journal record's time, the full copies, start and end.
  std::vector<std::uint64_t> instants{reader->start_ns(), reader->end_ns()};
  for (const auto& it : reader->journal_all()) {
    if (it.record.t_ns >= reader->start_ns()) instants.push_back(it.record.t_ns);
  }
  for (std::uint64_t t : reader->full_block_times()) instants.push_back(t);
  std::sort(instants.begin(), instants.end());
  MESSAGE(instants.size() << " instants, " << reader->journal_records() << " records");
  REQUIRE(instants.size() > 40);

  auto check_at = [&](std::uint64_t t) {
    p.seek(t);
    p.update(shmipc::monotonic_ns());
    const auto expected = reader->block_at(t);
    REQUIRE(expected.has_value());
    CHECK(shown_raw(p) == *expected);
    // The diagram holds the records up to t and none after.
    const auto& journal = p.history().journal();
    const auto upto = reader->journal(0, t);
    REQUIRE_MESSAGE(journal.size() == std::min<std::size_t>(upto.size(), Playback::kJournalKept),
                    "at " << reader->seconds_of(t) << " s");
    if (upto.empty()) return;
    CHECK(std::all_of(journal.begin(), journal.end(),
                      [&](const shmipc::JournalItem& it) { return it.record.t_ns <= t; }));
    CHECK(journal.back().seq == upto.back().seq);
  };
  for (std::uint64_t t : instants) check_at(t);  // forward, as Play goes
  for (auto it = instants.rbegin(); it != instants.rend(); ++it) check_at(*it);  // backward
  std::mt19937 rng(11);
  for (int i = 0; i < 60; ++i) check_at(instants[rng() % instants.size()]);  // scrubbing

  // At the end the last message is shown, as the live block had it.
  p.seek(reader->end_ns());
  p.update(shmipc::monotonic_ns());
  CHECK(p.history().latest()->message.message_sequence == 12);
  std::filesystem::remove(path);
}

TEST_CASE("playing forward shows a record whose time is later than the next record's, as under load") {
  const std::string path = temp_path("order");
  const int fd = create_recording(path);
  const shmrecord::RecordingInfo info = fake_session_info("order");
  {
    shmrecord::Writer w(fd, info);
    w.full_block(kT0, two_peers().raw());
    // Record 2 read its clock before record 3, but took its number after it.
    const std::uint64_t ms[] = {1, 2, 40, 30, 50};
    std::vector<shmipc::JournalItem> items;
    for (std::uint64_t seq = 0; seq < 5; ++seq)
      items.push_back(record(seq, kT0 + ms[seq] * kMs, shmipc::JournalKind::Note));
    w.journal(items);
    w.flush();
  }
  ::close(fd);
  auto reader = shmrecord::Reader::open_file(path);
  Playback p(shmrecord::Reader::open_file(path), "order.shmrec", false);
  for (std::uint64_t at : {10, 35, 45, 60}) {  // forward, as Play goes
    CAPTURE(at);
    p.seek(kT0 + at * kMs);
    p.update(shmipc::monotonic_ns());
    CHECK(p.history().journal().size() == reader->journal(0, kT0 + at * kMs).size());
  }
  std::filesystem::remove(path);
}

TEST_CASE("in playback the diagram counts time from the recording's start, as the timeline does") {
  shmtest::Watchdog dog(120s, "playback time origin");
  const std::string path = temp_path("origin");
  record_real_exchange(path, 6);
  Playback p(shmrecord::Reader::open_file(path), path, false);
  ActingState acting;
  UiState ui;
  p.seek(p.reader().start_ns());
  p.update(shmipc::monotonic_ns());
  int rows_checked = 0;
  for (int i = 0; i < 20; ++i) {
    p.step(+1);  // to the next journal record, as Right does
    p.update(shmipc::monotonic_ns());
    const SequenceView sv = make_sequence_view(playback_panel_input(p, acting), ui);
    REQUIRE_FALSE(sv.rows.empty());
    const SequenceRow& last = sv.rows.back();
    if (last.gap || last.t_ns != p.t_ns()) continue;
    // The newest row's time is the timeline's: the same instant, read on the same clock.
    const double row_s = static_cast<double>(static_cast<std::int64_t>(last.t_ns - sv.time_origin_ns)) / 1e9;
    CHECK(row_s == doctest::Approx(make_timeline_view(p).seconds).epsilon(1e-9));
    CHECK(sv.time_caption == "t: s since the recording started");
    ++rows_checked;
  }
  CHECK(rows_checked >= 10);
  // The block was created before the recorder started: a live view of it counts from there,
  // and says so.
  const SequenceView live = make_sequence_view({p.history(), acting, p.t_ns()}, ui);
  CHECK(live.time_origin_ns == p.history().latest()->header.created_monotonic_ns);
  CHECK(live.time_origin_ns < p.reader().start_ns());
  CHECK(live.time_caption == "t: s since the block was created");
  std::filesystem::remove(path);
}

TEST_CASE("the timeline shows a truncated recording's state and its gaps, and the diagram a GAP row") {
  const std::string path = write_truncated_with_gap();
  Playback p(shmrecord::Reader::open_file(path), "gap.shmrec", false);
  p.update(shmipc::monotonic_ns());
  const TimelineView v = make_timeline_view(p);
  CHECK(v.damaged);
  CHECK(v.state_text.find("truncated after chunk") != std::string::npos);
  CHECK(v.state_text.find("offset") != std::string::npos);
  REQUIRE(v.gap_marks.size() == 1);
  CHECK(v.gap_marks[0] > 0.0);
  CHECK(v.gap_marks[0] < 1.0);
  CHECK(v.gaps_text == "1 gap: 10 records lost to the ring (marked on the timeline)");
  CHECK(v.source_text == "gap.shmrec: session gapped recorded on testhost");
  CHECK(p.history().journal_lost() == 10);

  ActingState acting;
  acting.attached = true;
  UiState ui;
  const SequenceView sv = make_sequence_view({p.history(), acting, p.t_ns()}, ui);
  const auto gap = std::find_if(sv.rows.begin(), sv.rows.end(), [](const SequenceRow& r) { return r.gap; });
  REQUIRE(gap != sv.rows.end());
  CHECK(gap->text == "GAP: 10 records lost to the ring (#5-#14): not in the recording");
  // In its place: after record 4, before record 15.
  REQUIRE(gap != sv.rows.begin());
  CHECK((gap - 1)->seq == 4);
  CHECK((gap + 1)->seq == 15);

  // Before the gap was noticed it is not in the diagram yet; scrubbing back removes it.
  p.seek(kT0 + 10 * kMs);
  p.update(shmipc::monotonic_ns());
  CHECK(p.history().gaps().empty());
  CHECK(p.history().journal().back().seq == 4);
  std::filesystem::remove(path);
}

TEST_CASE("the timeline bar: Play and Pause, Space, Left/Right step between journal records, speed 0.1x-10x") {
  const std::string path = write_truncated_with_gap();
  Playback p(shmrecord::Reader::open_file(path), "gap.shmrec", false);
  Gui gui;
  ImGuiIO& io = ImGui::GetIO();
  io.KeyMap[ImGuiKey_Space] = 3;
  io.KeyMap[ImGuiKey_LeftArrow] = 4;
  io.KeyMap[ImGuiKey_RightArrow] = 5;
  auto draw = [&] {
    p.update(shmipc::monotonic_ns());
    draw_timeline_bar(p);
  };
  gui.frame(draw);
  gui.frame(draw);
  for (const char* w : {"timeline_prev", "timeline_play", "timeline_next", "timeline_slider",
                        "timeline_speed", "timeline_state"}) {
    CHECK_MESSAGE(recorded_widgets().count(w) == 1, w);
  }
  // The bar is at the bottom of the window and spans it.
  const WidgetRect slider = recorded_widgets().find("timeline_slider")->second;
  CHECK(slider.y0 > 900);
  CHECK(slider.x1 - slider.x0 > 600);

  CHECK(!p.playing());
  gui.click_widget("timeline_play", draw);
  CHECK(p.playing());  // from the end of a finished file: starts over
  CHECK(p.t_ns() < kT0 + 5 * kMs);
  gui.click_widget("timeline_play", draw);
  CHECK(!p.playing());

  auto press = [&](int key) {
    io.KeysDown[key] = true;
    gui.frame(draw);
    io.KeysDown[key] = false;
    gui.frame(draw);
  };
  press(3);
  CHECK(p.playing());
  press(3);
  CHECK(!p.playing());

  p.seek(kT0);
  gui.frame(draw);
  press(5);  // Right: the first record, at kT0 + 1 ms
  CHECK(p.t_ns() == kT0 + 1 * kMs);
  press(5);
  CHECK(p.t_ns() == kT0 + 2 * kMs);
  p.seek(kT0 + 5 * kMs);
  press(5);  // over the gap to record 15
  CHECK(p.t_ns() == kT0 + 65 * kMs);
  CHECK(p.history().journal().back().seq == 15);
  press(4);  // Left: back to record 4
  CHECK(p.t_ns() == kT0 + 5 * kMs);
  CHECK(p.history().journal().back().seq == 4);

  p.set_speed(50);
  CHECK(p.speed() == doctest::Approx(10.0));
  p.set_speed(0.01);
  CHECK(p.speed() == doctest::Approx(0.1));
  std::filesystem::remove(path);
}

TEST_CASE("in playback the Act panel offers no acting, only the note saying why") {
  const std::string path = write_truncated_with_gap();
  Playback p(shmrecord::Reader::open_file(path), "gap.shmrec", false);
  p.update(shmipc::monotonic_ns());
  Gui gui;
  ActingState acting;
  acting.attached = true;
  acting.playback_note = make_timeline_view(p).note;
  UiState ui;
  clear_recorded_widgets();
  PanelOutput out;
  gui.frame([&] { draw_all_panels({p.history(), acting, p.t_ns()}, ui, out); });
  gui.frame([&] { draw_all_panels({p.history(), acting, p.t_ns()}, ui, out); });
  CHECK(recorded_widgets().count("act_playback_note") == 1);
  CHECK(recorded_widgets().count(std::string(widget::kJoinAsParent)) == 0);
  CHECK(recorded_widgets().count(std::string(widget::kJoinAsChild)) == 0);
  CHECK(acting.playback_note.find("off") != std::string::npos);
  std::filesystem::remove(path);
}

TEST_CASE("the Record button's recorder saves a real session that opens complete and plays back to its last message") {
  shmtest::Watchdog dog(120s, "record button");
  const std::string path = temp_path("button");
  record_real_exchange(path, 5);
  auto reader = shmrecord::Reader::open_file(path);
  CHECK(reader->status().state == shmrecord::FileState::Complete);
  CHECK(reader->lost_records() == 0);
  std::size_t written = 0;
  for (const auto& it : reader->journal_all()) {
    if (it.record.kind == static_cast<std::uint16_t>(shmipc::JournalKind::MessageWritten)) ++written;
  }
  CHECK(written == 5);
  Playback p(shmrecord::Reader::open_file(path), path, false);
  p.update(shmipc::monotonic_ns());
  REQUIRE(p.history().latest() != nullptr);
  CHECK(p.history().latest()->message.message_sequence == 5);
  CHECK(shown_raw(p) == *reader->block_at(reader->end_ns()));
  std::filesystem::remove(path);
}

TEST_CASE("the Record button's default file is in the user's data dir, named after the session") {
  const std::string p = default_recording_path("KBuildDevelop");
  CHECK(p.find("/shmscope/recordings/KBuildDevelop-") != std::string::npos);
  CHECK(p.size() > 7);
  CHECK(p.substr(p.size() - 7) == ".shmrec");
  CHECK(size_text(12) == "12 bytes");
  CHECK(size_text(340'000) == "340 KB");
  CHECK(size_text(1'200'000) == "1.2 MB");
}

TEST_CASE("a recording with a corrupt chunk: the timeline says corrupt, naming the chunk and its offset, and plays what came before") {
  const std::string path = write_truncated_with_gap();
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(bytes.size() > 100);
  bytes[bytes.size() - 3] = static_cast<char>(bytes[bytes.size() - 3] ^ 0x5a);  // the last chunk's payload
  Playback p(shmrecord::Reader::open_bytes(bytes), "corrupt.shmrec", false);
  p.update(shmipc::monotonic_ns());
  const TimelineView v = make_timeline_view(p);
  CHECK(v.damaged);
  MESSAGE(v.state_text);
  CHECK(v.state_text.rfind("corrupt: chunk ", 0) == 0);
  CHECK(v.state_text.find("offset") != std::string::npos);
  REQUIRE(p.history().latest() != nullptr);  // the full copy and the chunks before still play
  CHECK(p.history().latest()->raw == *shmrecord::Reader::open_bytes(bytes)->block_at(p.t_ns()));
  CHECK(p.history().latest()->message.message_sequence == 1);
  CHECK(p.history().journal().size() == 10);  // the journal chunk before the corrupt one
  CHECK(p.history().gaps().empty());           // the gap was in the corrupt chunk
  std::filesystem::remove(path);
}

TEST_CASE("hostile recordings (the fuzz seeds, and a real one with bytes flipped) play in every panel without a crash") {
  const std::string real = temp_path("hostile");
  record_real_exchange(real, 3);
  std::vector<std::string> inputs;
  auto slurp = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  const std::string original = slurp(real);
  std::filesystem::remove(real);
  for (const auto& entry : std::filesystem::directory_iterator(
           std::filesystem::path(SHMSCOPE_SOURCE_DIR) / "tests/fuzz/corpus/recording")) {
    inputs.push_back(slurp(entry.path().string()));
  }
  std::mt19937 rng(1105);
  for (int i = 0; i < 40; ++i) {
    std::string bytes = original;
    for (int flips = 0; flips < 1 + i % 4; ++flips) {
      bytes[rng() % bytes.size()] = static_cast<char>(rng());
    }
    if (i % 5 == 0) bytes.resize(rng() % bytes.size());
    inputs.push_back(std::move(bytes));
  }
  Gui gui;
  int opened = 0;
  for (const std::string& bytes : inputs) {
    std::unique_ptr<shmrecord::Reader> reader;
    try {
      reader = shmrecord::Reader::open_bytes(bytes);
    } catch (const shmrecord::FormatError& e) {
      continue;  // refused with a message naming the offset: what --open prints, exit code 7
    }
    ++opened;
    Playback p(std::move(reader), "hostile.shmrec", false);
    ActingState acting;
    acting.attached = true;
    acting.playback_note = make_timeline_view(p).note;
    UiState ui;
    PanelOutput out;
    auto draw = [&] {
      p.update(shmipc::monotonic_ns());
      draw_timeline_bar(p);
      draw_all_panels({p.history(), acting, p.t_ns()}, ui, out);
    };
    gui.frame(draw);
    for (double at : {0.0, 0.001, 0.5, 1e6}) {
      p.seek_seconds(at);
      gui.frame(draw);
    }
    p.step(-1);
    gui.frame(draw);
    p.step(+1);
    gui.frame(draw);
    p.set_playing(true);
    gui.frame(draw);
    CHECK(out.actions.empty());
  }
  MESSAGE(opened << " of " << inputs.size() << " hostile inputs opened and played");
  CHECK(opened > 0);
}

TEST_CASE("Play moves the instant by the wall time spent playing, times the speed, not by the time it sat paused") {
  const std::string path = write_truncated_with_gap();
  Playback p(shmrecord::Reader::open_file(path), "gap.shmrec", false);
  const std::uint64_t wall = 5'000'000'000'000;
  p.seek(kT0);
  p.update(wall);
  p.set_playing(true);
  p.update(wall + 3'000'000'000);  // the loop slept 3 s before noticing: no jump
  CHECK(p.t_ns() == kT0);
  p.update(wall + 3'010'000'000);  // 10 ms of playing
  CHECK(p.t_ns() == kT0 + 10 * kMs);
  p.set_speed(0.5);
  p.update(wall + 3'030'000'000);  // 20 ms at half speed
  CHECK(p.t_ns() == kT0 + 20 * kMs);
  p.set_playing(false);
  p.update(wall + 9'000'000'000);
  CHECK(p.t_ns() == kT0 + 20 * kMs);
  std::filesystem::remove(path);
}

TEST_CASE("a file a recorder is still writing grows on the timeline as it is written") {
  const std::string path = temp_path("growing");
  const int fd = create_recording(path);
  const shmrecord::RecordingInfo info = fake_session_info("growing");
  shmrecord::Writer w(fd, info);
  w.full_block(kT0, two_peers().raw());
  std::vector<shmipc::JournalItem> first{record(0, kT0 + kMs, shmipc::JournalKind::Note)};
  w.journal(first);
  w.flush();
  Playback p(shmrecord::Reader::open_file(path), "growing.shmrec", false);
  p.update(shmipc::monotonic_ns());
  // As of now (the writer's own thread may not even have written the flushed chunks yet).
  CHECK(p.reader().status().state == shmrecord::FileState::Truncated);
  CHECK(p.reader().end_ns() <= kT0 + kMs);

  std::vector<shmipc::JournalItem> more{record(1, kT0 + 40 * kMs, shmipc::JournalKind::Note)};
  w.journal(more);
  w.finish(kT0 + 50 * kMs, shmrecord::EndReason::Stopped);
  CHECK(p.update(shmipc::monotonic_ns()));
  CHECK(p.reader().status().state == shmrecord::FileState::Complete);
  CHECK(p.reader().end_ns() == kT0 + 50 * kMs);
  p.seek(p.reader().end_ns());
  p.update(shmipc::monotonic_ns());
  CHECK(p.history().journal().back().seq == 1);
  ::close(fd);
  std::filesystem::remove(path);
}
