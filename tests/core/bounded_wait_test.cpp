// A peer that stops answering (SIGSTOP, a debugger) must never hang the other: the child's
// waits are bounded (--timeout), it says who did not answer and why, and a message reported as
// not delivered is never delivered later. The acknowledging child's pid travels with the
// acknowledgement. Real `shmipc` binaries on real shared memory.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <string>
#include <vector>

#include "shmipc/clock.hpp"
#include "shmipc/liveness.hpp"
#include "cli_helpers.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;

namespace {

using Cleanup = shmtest::SegmentCleanup;
using shmtest::says;
using shmtest::shmipc_cmd;

}  // namespace

TEST_CASE("a child whose parent is stopped gives up after its timeout and the message is never delivered") {
  shmtest::Watchdog watchdog(90s, "stopped parent");
  const std::string session = shmtest::unique_session_name("stopped-parent");
  Cleanup cleanup{session};
  auto parent = shmtest::ChildProcess::spawn(shmipc_cmd("parent", session));
  REQUIRE(shmtest::eventually([&] { return says(parent, "waiting for the child"); }, 10s));
  parent.kill(SIGSTOP);

  auto child = shmtest::ChildProcess::spawn(
      shmipc_cmd("child", session, {"--send", "lost-if-stopped", "--timeout", "1.5"}));
  const auto code = child.wait_for(30s);
  REQUIRE_MESSAGE(code.has_value(), "the child hung on a stopped parent");
  CHECK(*code == 10);
  const std::string err = child.stderr_text();
  CAPTURE(err);
  CHECK(err.find("has not taken message #1") != std::string::npos);
  CHECK(err.find("NOT delivered") != std::string::npos);
  CHECK(err.find("pid " + std::to_string(parent.pid())) != std::string::npos);
  CHECK(err.find("stopped (state T)") != std::string::npos);

  // While it is stopped, status says so instead of "alive".
  auto status = shmtest::ChildProcess::spawn(shmipc_cmd("status", session));
  REQUIRE(status.wait_for(20s) == std::optional<int>(0));
  CHECK(status.stdout_text().find("parent  pid " + std::to_string(parent.pid()) + "  stopped") !=
        std::string::npos);

  // After SIGCONT the parent finds the message withdrawn: reported as not delivered, it is not.
  parent.kill(SIGCONT);
  REQUIRE(shmtest::eventually([&] { return says(parent, "was withdrawn by the child"); }, 10s));
  CHECK_FALSE(says(parent, "lost-if-stopped"));
  // And the session goes on: a new child delivers.
  auto next = shmtest::ChildProcess::spawn(shmipc_cmd("child", session, {"--send", "after", "--kill"}));
  CHECK(next.wait_for(20s) == std::optional<int>(0));
  CHECK(shmtest::eventually([&] { return says(parent, "): after"); }, 10s));
  CHECK(parent.wait_for(10s) == std::optional<int>(0));
}

TEST_CASE("the parent reports the pid of the child that acknowledged even after that child left") {
  shmtest::Watchdog watchdog(90s, "ack pid");
  const std::string session = shmtest::unique_session_name("ack-pid");
  Cleanup cleanup{session};
  auto parent = shmtest::ChildProcess::spawn(shmipc_cmd("parent", session));
  REQUIRE(shmtest::eventually([&] { return says(parent, "waiting for the child"); }, 10s));
  parent.kill(SIGSTOP);
  // A child that acknowledges, finds no input and leaves, all while the parent is stopped.
  auto child = shmtest::ChildProcess::spawn(shmipc_cmd("child", session), "");
  REQUIRE(child.wait_for(20s) == std::optional<int>(0));
  const int child_pid = child.pid();
  parent.kill(SIGCONT);
  CHECK_MESSAGE(shmtest::eventually(
                    [&] { return says(parent, "child started (pid " + std::to_string(child_pid) + ")"); },
                    10s),
                parent.stdout_text());
  CHECK_FALSE(says(parent, "(pid 0)"));
  parent.kill(SIGTERM);
  parent.wait_for(10s);
}

TEST_CASE("liveness words: a dead pid is DEAD, a stale event waiter unresponsive, an idle one alive") {
  const std::uint64_t now = shmipc::monotonic_ns();
  const auto me = static_cast<std::uint32_t>(::getpid());
  const std::uint64_t stale = now - 10'000'000'000ull;
  CHECK(shmipc::liveness_of(false, me, shmipc::Activity::Idle, now, now) == shmipc::Liveness::Dead);
  CHECK(shmipc::liveness_of(true, me, shmipc::Activity::WaitingEvent, stale, now) ==
        shmipc::Liveness::Unresponsive);
  CHECK(shmipc::liveness_of(true, me, shmipc::Activity::Idle, stale, now) == shmipc::Liveness::Alive);
  CHECK(shmipc::liveness_of(true, me, shmipc::Activity::WaitingEvent, now, now) ==
        shmipc::Liveness::Alive);
  // A zombie: forked, exited, not yet reaped.
  auto zombie = shmtest::ChildProcess::fork([] { return 0; });
  std::this_thread::sleep_for(200ms);
  CHECK(shmipc::liveness_of(true, static_cast<std::uint32_t>(zombie.pid()), shmipc::Activity::Idle,
                            now, now) == shmipc::Liveness::Dead);
}
