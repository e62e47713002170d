// The commands that read a recording: `status --at` prints the block of an instant as
// `status` prints a live one, `export --chrome` writes the scenarios' Chrome trace, and a
// scenario run saved with `--record` opens with its whole run.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "recording_helpers.hpp"
#include "shmipc/snapshot.hpp"
#include "shmipc/trace_export.hpp"
#include "shmrecord/reader.hpp"

using namespace std::chrono_literals;
using rectest::cli;
using rectest::printed;

namespace {


std::string seconds_text(double s) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", s);
  return buf;
}

// A session where "first" is sent, then 300 ms later "second", recorded whole.
struct TwoMessages {
  std::string session = shmtest::unique_session_name("rec-two");
  std::string file = rectest::temp_path("rec-two");
  rectest::Cleanup cleanup{session, {file}};
  TwoMessages() {
    auto parent = shmtest::ChildProcess::spawn(cli({"parent", "--session", session}));
    REQUIRE(shmtest::eventually([&] { return printed(parent, "waiting for the child"); }, 10s));
    auto recorder = shmtest::ChildProcess::spawn(cli({"record", "--session", session, "--out", file}));
    REQUIRE(shmtest::eventually([&] { return printed(recorder, "recording session"); }, 10s));
    auto first = shmtest::ChildProcess::spawn(cli({"child", "--session", session, "--send", "first"}));
    REQUIRE(first.wait_for(20s) == std::optional<int>(0));
    std::this_thread::sleep_for(300ms);
    auto second = shmtest::ChildProcess::spawn(
        cli({"child", "--session", session, "--send", "second", "--kill"}));
    REQUIRE(second.wait_for(20s) == std::optional<int>(0));
    REQUIRE(parent.wait_for(20s) == std::optional<int>(0));
    REQUIRE(recorder.wait_for(20s) == std::optional<int>(0));
  }
};

}  // namespace

TEST_CASE("status --at prints the recorded block of that instant in the format of status") {
  shmtest::Watchdog watchdog(90s, "status --at");
  TwoMessages run;
  auto reader = shmrecord::Reader::open_file(run.file);
  // An instant between the first child's Leave and the second child's Join: nothing moves.
  std::uint64_t first_left = 0, second_joined = 0;
  for (const auto& it : reader->journal_all()) {
    const auto kind = static_cast<shmipc::JournalKind>(it.record.kind);
    const auto role = static_cast<shmipc::Role>(it.record.role);
    if (role != shmipc::Role::Child) continue;
    if (kind == shmipc::JournalKind::Leave && first_left == 0) first_left = it.record.t_ns;
    if (kind == shmipc::JournalKind::Join && first_left != 0 && second_joined == 0)
      second_joined = it.record.t_ns;
  }
  REQUIRE(first_left > reader->start_ns());
  REQUIRE(second_joined > first_left);
  const double before_second = reader->seconds_of(first_left + (second_joined - first_left) / 2);
  REQUIRE(before_second > 0);

  auto early = shmtest::ChildProcess::spawn(cli({"status", "--at", seconds_text(before_second), run.file}));
  REQUIRE(early.wait_for(20s) == std::optional<int>(0));
  const std::string e = early.stdout_text();
  CAPTURE(e);
  CHECK(e.find("session " + run.session + "  (layout 3, epoch 0)") != std::string::npos);
  CHECK(e.find("block:  processID ") != std::string::npos);
  CHECK(e.find("sequence 1  read 1  checksum ok") != std::string::npos);
  CHECK(e.find("data:   \"first\"") != std::string::npos);
  CHECK(e.find("parent  pid ") != std::string::npos);
  CHECK(e.find("mutex:  free") != std::string::npos);
  CHECK(e.find("problems: none") != std::string::npos);

  auto late = shmtest::ChildProcess::spawn(cli({"status", "--at", "3600", run.file, "--json"}));
  REQUIRE(late.wait_for(20s) == std::optional<int>(0));
  const auto j = nlohmann::json::parse(late.stdout_text());
  CHECK(j["session"] == run.session);
  CHECK(j["sequence"] == 2);
  CHECK(j["data"] == "second");
  CHECK(j["participants"].empty());  // both had left when the recording ended

  auto missing = shmtest::ChildProcess::spawn(cli({"status", "--at", "1", "/nonexistent.shmrec"}));
  CHECK(missing.wait_for(20s) == std::optional<int>(8));
  CHECK(printed(missing, "cannot open /nonexistent.shmrec"));
}

TEST_CASE("export --chrome turns a recording into the Chrome trace of its journal") {
  shmtest::Watchdog watchdog(90s, "export chrome");
  TwoMessages run;
  const std::string trace = run.file + ".json";
  run.cleanup.files.push_back(trace);
  auto exporter = shmtest::ChildProcess::spawn(cli({"export", run.file, "--chrome", trace}));
  REQUIRE(exporter.wait_for(20s) == std::optional<int>(0));
  const std::string text = rectest::read_file(trace);
  auto reader = shmrecord::Reader::open_file(run.file);
  std::vector<shmipc::JournalRecord> records;
  for (const auto& it : reader->journal_all()) records.push_back(it.record);
  CHECK(text == shmipc::chrome_trace_json(records));
  const auto j = nlohmann::json::parse(text);
  std::size_t slices = 0, names = 0;
  for (const auto& ev : j["traceEvents"]) {
    slices += ev["ph"] == "X";
    names += ev["name"] == "process_name";
  }
  CHECK(slices >= 4);  // mutex holds of both messages
  CHECK(names >= 2);   // the parent's and the children's tracks
  CHECK(printed(exporter, std::to_string(records.size()) + " journal records"));
}

TEST_CASE("a scenario run saved with --record opens as a complete recording of the run") {
  shmtest::Watchdog watchdog(90s, "scenario record");
  const std::string file = rectest::temp_path("rec-scenario");
  rectest::Cleanup cleanup{"", {file}};
  auto run = shmtest::ChildProcess::spawn(
      cli({"scenario", "02-one-message-with-receipt", "--record", file, "--quiet"}));
  const auto rc = run.wait_for(60s);
  INFO("stdout: " << run.stdout_text() << "\nstderr: " << run.stderr_text());
  REQUIRE(rc == std::optional<int>(0));
  CHECK(printed(run, "Recording written to " + file));
  CHECK(printed(run, "PASS"));
  auto reader = shmrecord::Reader::open_file(file);
  CHECK(reader->status().state == shmrecord::FileState::Complete);
  CHECK(reader->gaps().empty());
  const auto items = reader->journal_all();
  REQUIRE_FALSE(items.empty());
  CHECK(items.front().seq == 0);
  CHECK(items.front().record.kind == static_cast<std::uint16_t>(shmipc::JournalKind::SessionCreated));
  std::size_t read = 0;
  for (const auto& it : items) read += it.record.kind == static_cast<std::uint16_t>(shmipc::JournalKind::MessageRead);
  CHECK(read == 1);
  const auto last = shmipc::decode_snapshot(*reader->block_at(reader->end_ns()));
  CHECK(std::string(last.message.data.data(), last.message.data_size) == "hello parent");
  CHECK_FALSE(shmtest::segment_exists(reader->info().session));
}
