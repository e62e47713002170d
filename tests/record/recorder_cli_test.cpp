// `shmipc record` on real sessions: every journal record is in the file, in order; the block
// rebuilt at the end is the live block; the recorder ends cleanly for each documented reason;
// a busy session is recorded with every record accounted for (recorded, or counted in a gap).
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <thread>

#include "recording_helpers.hpp"
#include "shmipc/block.hpp"
#include "shmipc/clock.hpp"
#include "shmipc/observer.hpp"
#include "shmrecord/reader.hpp"

using namespace std::chrono_literals;
using rectest::cli;
using rectest::printed;

namespace {


// Journal records are equal when every byte of them is (previews included).
bool same_record(const shmipc::JournalRecord& a, const shmipc::JournalRecord& b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

std::string numbered_lines(int n) {
  std::string out;
  for (int i = 1; i <= n; ++i) out += "message-" + std::to_string(i) + "\n";
  return out;
}

// Every sequence number from 0 to the last one is either recorded or inside exactly one gap.
void check_accounted(const shmrecord::Reader& reader) {
  const auto items = reader.journal_all();
  std::vector<std::pair<std::uint64_t, std::uint64_t>> spans;  // [first, end)
  for (const auto& it : items) spans.emplace_back(it.seq, it.seq + 1);
  for (const auto& g : reader.gaps()) spans.emplace_back(g.first_seq, g.first_seq + g.count);
  std::sort(spans.begin(), spans.end());
  std::uint64_t expected = spans.empty() ? 0 : spans.front().first;
  for (const auto& [first, end] : spans) {
    REQUIRE_MESSAGE(first == expected, "sequence " << expected << " is neither recorded nor in a gap");
    expected = end;
  }
}

}  // namespace

TEST_CASE("a recorded exchange of 100 messages holds every journal record in order and its block at the end is the live block") {
  shmtest::Watchdog watchdog(90s, "record exchange");
  const std::string session = shmtest::unique_session_name("rec-exchange");
  const std::string file = rectest::temp_path("rec-exchange");
  rectest::Cleanup cleanup{session, {file}};

  auto parent = shmtest::ChildProcess::spawn(cli({"parent", "--session", session}));
  REQUIRE(shmtest::eventually([&] { return printed(parent, "waiting for the child"); }, 10s));
  auto recorder = shmtest::ChildProcess::spawn(cli({"record", "--session", session, "--out", file}));
  REQUIRE(shmtest::eventually([&] { return printed(recorder, "recording session"); }, 10s));

  auto child = shmtest::ChildProcess::spawn(cli({"child", "--session", session}), numbered_lines(100));
  REQUIRE(child.wait_for(60s) == std::optional<int>(0));
  REQUIRE(shmtest::eventually([&] { return printed(parent, "message-100"); }, 10s));

  // The live block once the session is quiet (the child has left, the parent waits).
  auto observer = shmipc::Observer::open(session);
  shmipc::Snapshot live = observer->snapshot();
  REQUIRE(shmtest::eventually([&] {
    const auto before = live.journal_next;
    std::this_thread::sleep_for(50ms);
    live = observer->snapshot();
    return live.journal_next == before;
  }, 10s));
  const shmipc::JournalRead live_journal = observer->journal_since(live, 0);
  REQUIRE(live_journal.lost == 0);
  REQUIRE(live.journal_next < shmipc::kJournalCapacity);  // the whole history is still in the ring

  recorder.kill(SIGINT);
  REQUIRE(recorder.wait_for(20s) == std::optional<int>(0));
  CAPTURE(recorder.stderr_text());

  auto reader = shmrecord::Reader::open_file(file);
  REQUIRE(reader->status().state == shmrecord::FileState::Complete);
  REQUIRE(reader->status().end.has_value());
  CHECK(reader->status().end->reason == shmrecord::EndReason::Stopped);
  CHECK(reader->info().session == session);
  CHECK(reader->info().block_size == sizeof(shmipc::Block));
  CHECK(reader->info().layout_version == shmipc::kLayoutVersion);
  CHECK(reader->gaps().empty());
  CHECK(reader->lost_records() == 0);

  const auto items = reader->journal_all();
  REQUIRE(items.size() >= live_journal.items.size());
  for (std::size_t i = 0; i < items.size(); ++i) REQUIRE(items[i].seq == i);
  for (std::size_t i = 0; i < live_journal.items.size(); ++i) {
    CAPTURE(i);
    REQUIRE(same_record(items[i].record, live_journal.items[i].record));
  }
  std::size_t written = 0;
  for (const auto& it : items)
    written += it.record.kind == static_cast<std::uint16_t>(shmipc::JournalKind::MessageWritten);
  CHECK(written == 100);

  const auto block = reader->block_at(reader->end_ns());
  REQUIRE(block.has_value());
  REQUIRE(block->size() == live.raw.size());
  constexpr std::size_t kArea = offsetof(shmipc::Block, message);
  CHECK(std::memcmp(block->data() + kArea, live.raw.data() + kArea, sizeof(shmipc::MessageArea)) == 0);
  const shmipc::Snapshot rebuilt = shmipc::decode_snapshot(*block);
  CHECK(rebuilt.message.message_sequence == 100);
  CHECK(std::string(rebuilt.message.data.data(), rebuilt.message.data_size) == "message-100");
  // The ring rebuilt from the recorded records reads back as the live ring did.
  const shmipc::JournalRead rebuilt_journal = shmipc::journal_decode(*block, 0);
  REQUIRE(rebuilt_journal.items.size() >= live_journal.items.size());
  for (std::size_t i = 0; i < live_journal.items.size(); ++i)
    REQUIRE(same_record(rebuilt_journal.items[i].record, live_journal.items[i].record));

  auto stopper = shmtest::ChildProcess::spawn(cli({"child", "--session", session, "--kill"}));
  CHECK(stopper.wait_for(20s) == std::optional<int>(0));
  CHECK(parent.wait_for(20s) == std::optional<int>(0));
}

TEST_CASE("the recorder ends with an end marker on SIGTERM, on --seconds and when the session goes away") {
  shmtest::Watchdog watchdog(90s, "record end reasons");
  const std::string session = shmtest::unique_session_name("rec-ends");
  const std::string by_term = rectest::temp_path("rec-term");
  const std::string by_seconds = rectest::temp_path("rec-seconds");
  const std::string by_gone = rectest::temp_path("rec-gone");
  rectest::Cleanup cleanup{session, {by_term, by_seconds, by_gone}};

  auto parent = shmtest::ChildProcess::spawn(cli({"parent", "--session", session}));
  REQUIRE(shmtest::eventually([&] { return printed(parent, "waiting for the child"); }, 10s));
  auto term = shmtest::ChildProcess::spawn(cli({"record", "--session", session, "--out", by_term}));
  auto seconds = shmtest::ChildProcess::spawn(
      cli({"record", "--session", session, "--out", by_seconds, "--seconds", "0.5"}));
  auto gone = shmtest::ChildProcess::spawn(cli({"record", "--session", session, "--out", by_gone}));
  REQUIRE(shmtest::eventually([&] { return printed(term, "recording session") && printed(gone, "recording session"); }, 10s));

  CHECK(seconds.wait_for(20s) == std::optional<int>(0));
  term.kill(SIGTERM);
  CHECK(term.wait_for(20s) == std::optional<int>(0));
  auto child = shmtest::ChildProcess::spawn(
      cli({"child", "--session", session, "--send", "last words", "--kill"}));
  REQUIRE(child.wait_for(20s) == std::optional<int>(0));
  REQUIRE(parent.wait_for(20s) == std::optional<int>(0));
  // The last one out removed the segment: the recorder notices and ends by itself.
  REQUIRE(gone.wait_for(20s) == std::optional<int>(0));

  const auto reason_of = [](const std::string& path) {
    auto reader = shmrecord::Reader::open_file(path);
    REQUIRE(reader->status().state == shmrecord::FileState::Complete);
    return reader->status().end->reason;
  };
  CHECK(reason_of(by_term) == shmrecord::EndReason::Stopped);
  CHECK(reason_of(by_seconds) == shmrecord::EndReason::Duration);
  CHECK(reason_of(by_gone) == shmrecord::EndReason::SessionGone);
  CHECK(gone.stderr_text().find("ended: session gone") != std::string::npos);

  // The session's last moments are in it: the last message and the KILL_APP command.
  auto reader = shmrecord::Reader::open_file(by_gone);
  const auto last = shmipc::decode_snapshot(*reader->block_at(reader->end_ns()));
  CHECK(std::string(last.message.data.data(), last.message.data_size) == "last words");
  CHECK(last.message.command == shmipc::Command::KillApp);
  std::size_t leaves = 0;
  for (const auto& it : reader->journal_all())
    leaves += it.record.kind == static_cast<std::uint16_t>(shmipc::JournalKind::Leave);
  CHECK(leaves == 2);
}

TEST_CASE("recording a session that does not exist fails with exit code 6 and writes nothing") {
  const std::string file = rectest::temp_path("rec-none");
  rectest::Cleanup cleanup{"", {file}};
  auto recorder = shmtest::ChildProcess::spawn(
      cli({"record", "--session", shmtest::unique_session_name("nobody"), "--out", file}));
  CHECK(recorder.wait_for(20s) == std::optional<int>(6));
  CHECK(recorder.stderr_text().find("no such session") != std::string::npos);
  auto usage = shmtest::ChildProcess::spawn(cli({"record", "--session", "x"}));
  CHECK(usage.wait_for(20s) == std::optional<int>(2));
}

TEST_CASE("a busy session streaming 20 MB is recorded with every journal record recorded or counted in a gap") {
  shmtest::Watchdog watchdog(110s, "record busy");
  const std::string session = shmtest::unique_session_name("rec-busy");
  const std::string file = rectest::temp_path("rec-busy");
  const std::string payload = "/tmp/" + session + ".in";
  const std::string received = "/tmp/" + session + ".out";
  rectest::Cleanup cleanup{session, {file, payload, received}};
  {
    std::string data(20'000'000, '\0');
    std::uint32_t x = 12345;
    for (char& c : data) c = static_cast<char>((x = x * 1103515245u + 12345u) >> 24);
    std::ofstream(payload, std::ios::binary) << data;
  }
  auto parent = shmtest::ChildProcess::spawn(cli({"parent", "--session", session, "--out", received}));
  REQUIRE(shmtest::eventually([&] { return shmtest::segment_exists(session); }, 10s));
  auto recorder = shmtest::ChildProcess::spawn(cli({"record", "--session", session, "--out", file}));
  REQUIRE(shmtest::eventually([&] { return printed(recorder, "recording session"); }, 10s));
  const std::uint64_t t0 = shmipc::monotonic_ns();
  auto child = shmtest::ChildProcess::spawn(
      cli({"child", "--session", session, "--send-file", payload, "--kill"}));
  REQUIRE(child.wait_for(100s) == std::optional<int>(0));
  const double seconds = static_cast<double>(shmipc::monotonic_ns() - t0) / 1e9;
  REQUIRE(parent.wait_for(20s) == std::optional<int>(0));
  REQUIRE(recorder.wait_for(20s) == std::optional<int>(0));

  auto reader = shmrecord::Reader::open_file(file);
  REQUIRE(reader->status().state == shmrecord::FileState::Complete);
  check_accounted(*reader);
  std::size_t written = 0;
  for (const auto& it : reader->journal_all())
    written += it.record.kind == static_cast<std::uint16_t>(shmipc::JournalKind::MessageWritten);
  MESSAGE("20,000 messages in " << seconds << " s (" << 20000 / seconds << " messages/s): "
          << reader->journal_records() << " records recorded, " << reader->lost_records()
          << " lost in " << reader->gaps().size() << " gaps; MessageWritten recorded: " << written
          << "; file " << rectest::read_file(file).size() << " bytes; " << recorder.stderr_text());
  CHECK(reader->journal_records() + reader->lost_records() > 200'000);
}

TEST_CASE("a recorder killed with SIGKILL leaves a recording that opens up to its last complete chunk and says it was cut") {
  shmtest::Watchdog watchdog(90s, "record killed");
  const std::string session = shmtest::unique_session_name("rec-killed");
  const std::string file = rectest::temp_path("rec-killed");
  rectest::Cleanup cleanup{session, {file}};
  auto parent = shmtest::ChildProcess::spawn(cli({"parent", "--session", session}));
  REQUIRE(shmtest::eventually([&] { return printed(parent, "waiting for the child"); }, 10s));
  auto recorder = shmtest::ChildProcess::spawn(cli({"record", "--session", session, "--out", file}));
  REQUIRE(shmtest::eventually([&] { return printed(recorder, "recording session"); }, 10s));
  auto child = shmtest::ChildProcess::spawn(cli({"child", "--session", session}), numbered_lines(50));
  REQUIRE(child.wait_for(60s) == std::optional<int>(0));
  // Flushed every 100 ms: the last message reaches the file before the kill.
  const auto last_message_in = [](const std::string& path) {
    auto reader = shmrecord::Reader::open_file(path);
    const auto block = reader->block_at(reader->end_ns());
    if (!block) return std::string();
    const auto snap = shmipc::decode_snapshot(*block);
    return std::string(snap.message.data.data(), snap.message.data_size);
  };
  REQUIRE(shmtest::eventually([&] { return last_message_in(file) == "message-50"; }, 10s));
  recorder.kill(SIGKILL);
  REQUIRE(recorder.wait_for(20s) == std::optional<int>(128 + SIGKILL));

  auto reader = shmrecord::Reader::open_file(file);
  const auto& st = reader->status();
  CHECK(st.state == shmrecord::FileState::Truncated);
  CHECK(st.problem.rfind("truncated after chunk " + std::to_string(reader->chunks().size()) +
                             " at offset " + std::to_string(st.good_bytes) + ": ", 0) == 0);
  CHECK(st.problem.find("no end marker") != std::string::npos);
  const auto last = shmipc::decode_snapshot(*reader->block_at(reader->end_ns()));
  CHECK(std::string(last.message.data.data(), last.message.data_size) == "message-50");

  // status --at still prints it, with the verdict on standard error.
  auto status = shmtest::ChildProcess::spawn(cli({"status", "--at", "600", file}));
  CHECK(status.wait_for(20s) == std::optional<int>(0));
  CHECK(status.stdout_text().find("data:   \"message-50\"") != std::string::npos);
  CHECK(status.stderr_text().find("truncated: truncated after chunk") != std::string::npos);

  auto stopper = shmtest::ChildProcess::spawn(cli({"child", "--session", session, "--kill"}));
  CHECK(stopper.wait_for(20s) == std::optional<int>(0));
  CHECK(parent.wait_for(20s) == std::optional<int>(0));
}

TEST_CASE("a recorder whose disk is full or whose reader went away stops with exit code 12 saying why") {
  shmtest::Watchdog watchdog(90s, "record write errors");
  const std::string session = shmtest::unique_session_name("rec-full");
  rectest::Cleanup cleanup{session, {}};
  auto parent = shmtest::ChildProcess::spawn(cli({"parent", "--session", session}));
  REQUIRE(shmtest::eventually([&] { return printed(parent, "waiting for the child"); }, 10s));
  auto full = shmtest::ChildProcess::spawn(cli({"record", "--session", session, "--out", "/dev/full"}));
  CHECK(full.wait_for(20s) == std::optional<int>(12));
  CHECK(full.stderr_text().find("No space left on device") != std::string::npos);

  // `--out -` into a reader that reads a few bytes and leaves: EPIPE, not a silent SIGPIPE death.
  const std::string bin = shmtest::binary_path("shmipc");
  auto gone = shmtest::ChildProcess::spawn(
      {"/bin/bash", "-c", bin + " record --session " + session + " --out - | head -c 10 >/dev/null; "
                                "echo \"exit ${PIPESTATUS[0]}\""});
  REQUIRE(gone.wait_for(30s) == std::optional<int>(0));
  CHECK(gone.stdout_text().find("exit 12") != std::string::npos);
  CHECK(gone.stderr_text().find("Broken pipe") != std::string::npos);

  auto stopper = shmtest::ChildProcess::spawn(cli({"child", "--session", session, "--kill"}));
  CHECK(stopper.wait_for(20s) == std::optional<int>(0));
  CHECK(parent.wait_for(20s) == std::optional<int>(0));
}

TEST_CASE("a recorder started with --wait before its session records the session from its first record") {
  shmtest::Watchdog watchdog(90s, "record --wait");
  const std::string session = shmtest::unique_session_name("rec-wait");
  const std::string file = rectest::temp_path("rec-wait");
  const std::string never = rectest::temp_path("rec-never");
  rectest::Cleanup cleanup{session, {file, never}};
  auto recorder = shmtest::ChildProcess::spawn(
      cli({"record", "--session", session, "--out", file, "--wait"}));
  REQUIRE(shmtest::eventually([&] { return printed(recorder, "waiting for session"); }, 10s));
  CHECK(recorder.running());
  auto parent = shmtest::ChildProcess::spawn(cli({"parent", "--session", session}));
  REQUIRE(shmtest::eventually([&] { return printed(recorder, "recording session"); }, 10s));
  REQUIRE(shmtest::eventually([&] { return printed(parent, "waiting for the child"); }, 10s));
  auto child = shmtest::ChildProcess::spawn(
      cli({"child", "--session", session, "--send", "from the start", "--kill"}));
  REQUIRE(child.wait_for(30s) == std::optional<int>(0));
  REQUIRE(parent.wait_for(20s) == std::optional<int>(0));
  REQUIRE(recorder.wait_for(20s) == std::optional<int>(0));

  auto reader = shmrecord::Reader::open_file(file);
  REQUIRE(reader->status().state == shmrecord::FileState::Complete);
  CHECK(reader->status().end->reason == shmrecord::EndReason::SessionGone);
  const auto items = reader->journal_all();
  REQUIRE_FALSE(items.empty());
  CHECK(items.front().seq == 0);
  CHECK(items.front().record.kind == static_cast<std::uint16_t>(shmipc::JournalKind::SessionCreated));
  CHECK(reader->gaps().empty());

  // Stopped while still waiting: nothing recorded, no file.
  auto waiting = shmtest::ChildProcess::spawn(
      cli({"record", "--session", shmtest::unique_session_name("rec-nobody"), "--out", never, "--wait"}));
  REQUIRE(shmtest::eventually([&] { return printed(waiting, "waiting for session"); }, 10s));
  waiting.kill(SIGINT);
  CHECK(waiting.wait_for(20s) == std::optional<int>(0));
  CHECK(printed(waiting, "nothing recorded"));
  CHECK(::access(never.c_str(), F_OK) != 0);
}
