// `shmipc record --out -` is a live stream: a reader on the other end of the pipe sees the
// session's records while the recorder still runs, and its block matches the live block (what
// `ssh HOST shmipc record --session S --out - | shmscope --open -` relies on).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>

#include "recording_helpers.hpp"
#include "shmipc/block.hpp"
#include "shmipc/observer.hpp"
#include "shmrecord/reader.hpp"

using namespace std::chrono_literals;
using rectest::cli;
using shmtest::says;

namespace {


std::size_t count_kind(const std::vector<shmipc::JournalItem>& items, shmipc::JournalKind kind) {
  std::size_t n = 0;
  for (const auto& it : items) n += it.record.kind == static_cast<std::uint16_t>(kind);
  return n;
}

}  // namespace

TEST_CASE("a recording streamed to a pipe with --out - is read live and its block matches the live block") {
  shmtest::Watchdog watchdog(90s, "record stream");
  const std::string session = shmtest::unique_session_name("rec-stream");
  rectest::Cleanup cleanup{session, {}};
  auto parent = shmtest::ChildProcess::spawn(cli({"parent", "--session", session}));
  REQUIRE(shmtest::eventually([&] { return says(parent, "waiting for the child"); }, 10s));

  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  const auto argv = cli({"record", "--session", session, "--out", "-", "--quiet"});
  auto recorder = shmtest::ChildProcess::fork([&] {
    ::dup2(fds[1], STDOUT_FILENO);  // the duplicate does not inherit O_CLOEXEC
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    return 127;
  });
  ::close(fds[1]);
  auto reader = shmrecord::Reader::open_fd(fds[0], 10000ms);
  CHECK(reader->info().session == session);

  auto child = shmtest::ChildProcess::spawn(
      cli({"child", "--session", session, "--send", "alpha", "--send", "beta", "--send", "gamma"}));
  REQUIRE(child.wait_for(20s) == std::optional<int>(0));
  // While the recorder still runs, the records reach the reader (flushed within ~100 ms).
  REQUIRE(shmtest::eventually([&] {
    reader->pump(20ms);
    return count_kind(reader->journal_all(), shmipc::JournalKind::MessageRead) == 3 &&
           count_kind(reader->journal_all(), shmipc::JournalKind::Leave) == 1;
  }, 20s));
  CHECK(recorder.running());
  CHECK(reader->status().state == shmrecord::FileState::Growing);
  CHECK_FALSE(reader->at_end());

  // The view from the stream is the live block (the message area; the rest holds heartbeats).
  auto observer = shmipc::Observer::open(session);
  const shmipc::Snapshot live = observer->snapshot();
  REQUIRE(shmtest::eventually([&] {
    reader->pump(20ms);
    const auto block = reader->block_at(reader->end_ns());
    constexpr std::size_t kArea = offsetof(shmipc::Block, message);
    return block && std::memcmp(block->data() + kArea, live.raw.data() + kArea,
                                sizeof(shmipc::MessageArea)) == 0;
  }, 20s));
  const auto seen = shmipc::decode_snapshot(*reader->block_at(reader->end_ns()));
  CHECK(std::string(seen.message.data.data(), seen.message.data_size) == "gamma");

  recorder.kill(SIGINT);
  REQUIRE(recorder.wait_for(20s) == std::optional<int>(0));
  REQUIRE(shmtest::eventually([&] {
    reader->pump(20ms);
    return reader->at_end();
  }, 20s));
  CHECK(reader->status().state == shmrecord::FileState::Complete);
  CHECK(reader->status().end->reason == shmrecord::EndReason::Stopped);
  ::close(fds[0]);

  auto stopper = shmtest::ChildProcess::spawn(cli({"child", "--session", session, "--kill"}));
  CHECK(stopper.wait_for(20s) == std::optional<int>(0));
  CHECK(parent.wait_for(20s) == std::optional<int>(0));
}

TEST_CASE("a shell pipe from shmipc record --out - into shmipc status --at - prints the session") {
  shmtest::Watchdog watchdog(90s, "record shell pipe");
  const std::string session = shmtest::unique_session_name("rec-pipe");
  rectest::Cleanup cleanup{session, {}};
  auto parent = shmtest::ChildProcess::spawn(cli({"parent", "--session", session}));
  REQUIRE(shmtest::eventually([&] { return says(parent, "waiting for the child"); }, 10s));
  const std::string bin = shmtest::binary_path("shmipc");
  auto pipeline = shmtest::ChildProcess::spawn(
      {"/bin/sh", "-c", bin + " record --session " + session + " --out - --seconds 0.5 --quiet | " +
                            bin + " status --at 60 -"});
  REQUIRE(pipeline.wait_for(30s) == std::optional<int>(0));
  const std::string out = pipeline.stdout_text();
  CAPTURE(out);
  CAPTURE(pipeline.stderr_text());
  CHECK(out.find("session " + session) != std::string::npos);
  CHECK(out.find("parent  pid " + std::to_string(parent.pid()) + "  joined") != std::string::npos);
  auto stopper = shmtest::ChildProcess::spawn(cli({"child", "--session", session, "--kill"}));
  CHECK(stopper.wait_for(20s) == std::optional<int>(0));
  CHECK(parent.wait_for(20s) == std::optional<int>(0));
}
