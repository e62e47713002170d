// RecordingThread, what the monitor's Record button uses: it records a real session on its own
// thread while the caller goes on, its counts can be read meanwhile, and stop() leaves a
// complete file.
#include <doctest/doctest.h>

#include "recording_helpers.hpp"
#include "shmipc/error.hpp"
#include "shmipc/snapshot.hpp"
#include "shmrecord/reader.hpp"
#include "shmrecord/recording_thread.hpp"

using namespace std::chrono_literals;
using rectest::cli;

TEST_CASE("a recording thread records a live session while its owner goes on, and stop() leaves a complete file") {
  shmtest::Watchdog watchdog(90s, "recording thread");
  const std::string session = shmtest::unique_session_name("rec-thread");
  const std::string file = rectest::temp_path("rec-thread");
  rectest::Cleanup cleanup{session, {file}};
  auto parent = shmtest::ChildProcess::spawn(cli({"parent", "--session", session}));
  REQUIRE(shmtest::eventually([&] { return shmtest::segment_exists(session); }, 10s));

  shmrecord::RecorderOptions options;
  options.progress_every = 10ms;
  shmrecord::RecordingThread recording(session, file, false, options);
  CHECK(recording.running());
  auto child = shmtest::ChildProcess::spawn(
      cli({"child", "--session", session, "--send", "one", "--send", "two"}));
  REQUIRE(child.wait_for(20s) == std::optional<int>(0));
  // The counts move while it records (read from this thread, copied under a lock).
  REQUIRE(shmtest::eventually([&] { return recording.stats().records > 20; }, 10s));
  CHECK(recording.running());
  CHECK(recording.stop() == shmrecord::EndReason::Stopped);
  CHECK_FALSE(recording.running());
  CHECK(recording.stop() == shmrecord::EndReason::Stopped);  // idempotent

  auto reader = shmrecord::Reader::open_file(file);
  CHECK(reader->status().state == shmrecord::FileState::Complete);
  CHECK(reader->journal_records() == recording.stats().records);
  const auto last = shmipc::decode_snapshot(*reader->block_at(reader->end_ns()));
  CHECK(std::string(last.message.data.data(), last.message.data_size) == "two");

  auto stopper = shmtest::ChildProcess::spawn(cli({"child", "--session", session, "--kill"}));
  CHECK(stopper.wait_for(20s) == std::optional<int>(0));
  CHECK(parent.wait_for(20s) == std::optional<int>(0));
}

TEST_CASE("a recording thread on a session that does not exist fails at stop(), naming it") {
  const std::string file = rectest::temp_path("rec-thread-none");
  rectest::Cleanup cleanup{"", {file}};
  const std::string nobody = shmtest::unique_session_name("nobody");
  shmrecord::RecordingThread recording(nobody, file);
  REQUIRE(shmtest::eventually([&] { return !recording.running(); }, 10s));
  try {
    recording.stop();
    FAIL("stop() did not report the missing session");
  } catch (const shmipc::Error& e) {
    CHECK(std::string(e.what()).find("no session \"" + nobody + "\"") != std::string::npos);
  }
}
