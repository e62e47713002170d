// Deadlines are CLOCK_MONOTONIC (steady_clock) end to end: each bounded wait below runs for
// its length measured on CLOCK_MONOTONIC. A wait that mixed clocks would not: a steady_clock
// deadline read as wall-clock time lies decades in the past (it returns at once), a wall-clock
// deadline read as monotonic decades in the future (it hangs). And no deadline in core/ is
// computed from the wall clock at all (the source check below).
#include <doctest/doctest.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "shmipc/auto_reset_event.hpp"
#include "shmipc/error.hpp"
#include "shmipc/robust_mutex.hpp"
#include "shmipc/session.hpp"
#include "cli_helpers.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;

namespace {

using Cleanup = shmtest::SegmentCleanup;
using shmtest::says;

double monotonic_s() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::unique_ptr<shmipc::Session> join(const std::string& name, shmipc::RoleRequest role) {
  shmipc::SessionOptions o;
  o.name = name;
  o.role = role;
  return shmipc::Session::join(o);
}

}  // namespace

TEST_CASE("an event wait and a mutex wait each last their deadline on CLOCK_MONOTONIC") {
  shmtest::Watchdog dog(60s, "monotonic deadlines");
  const std::string name = shmtest::unique_session_name("monotonic");
  Cleanup cleanup{name};
  auto parent = join(name, shmipc::RoleRequest::Parent);

  double t0 = monotonic_s();
  CHECK_FALSE(shmipc::Events(parent->actor())
                  .wait(shmipc::EventId::ChildAcknowledge, shmipc::deadline_after(400ms)));
  double waited = monotonic_s() - t0;
  MESSAGE("event wait: ", waited, " s for a 0.4 s deadline");
  CHECK(waited >= 0.4);
  CHECK(waited < 10);

  // Another process holds the mutex: pthread_mutex_clocklock(CLOCK_MONOTONIC) runs out.
  int held[2];
  REQUIRE(::pipe(held) == 0);
  auto holder = shmtest::ChildProcess::fork([&]() -> int {
    auto tool = join(name, shmipc::RoleRequest::Tool);
    shmipc::RobustMutex mutex(tool->actor());
    if (!mutex.lock().acquired) return 90;
    char c = 'h';
    if (::write(held[1], &c, 1) != 1) return 91;
    for (;;) ::pause();
  });
  char c = 0;
  REQUIRE(::read(held[0], &c, 1) == 1);
  shmipc::RobustMutex mutex(parent->actor());
  t0 = monotonic_s();
  CHECK_FALSE(mutex.lock(shmipc::deadline_after(400ms)).acquired);
  waited = monotonic_s() - t0;
  MESSAGE("mutex wait: ", waited, " s for a 0.4 s deadline");
  CHECK(waited >= 0.4);
  CHECK(waited < 10);
  holder.kill(SIGKILL);
  REQUIRE(holder.wait_for(10s).has_value());
  ::close(held[0]);
  ::close(held[1]);

}

TEST_CASE("no deadline in core is computed from the wall clock") {
  // The wall clock is read in one place (clock.cpp's realtime_ns) for the block's creation
  // time, shown to people; everything that times a wait uses steady_clock or CLOCK_MONOTONIC.
  const std::filesystem::path root = std::string(SHMSCOPE_SOURCE_DIR) + "/core";
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    const auto ext = entry.path().extension();
    if (ext != ".cpp" && ext != ".hpp") continue;
    ++files;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    const std::string rel = std::filesystem::relative(entry.path(), root).string();
    CAPTURE(rel);
    for (const char* wall : {"system_clock", "high_resolution_clock", "gettimeofday",
                             "FUTEX_CLOCK_REALTIME", "pthread_mutex_timedlock",
                             "pthread_cond_timedwait", "sem_timedwait"}) {
      CAPTURE(wall);
      // futex.cpp names FUTEX_CLOCK_REALTIME in a comment saying it is not used; the futex
      // call itself is checked by the event wait above.
      if (std::string(wall) == "FUTEX_CLOCK_REALTIME" && rel == "src/futex.cpp") continue;
      CHECK(s.find(wall) == std::string::npos);
    }
    if (rel != "src/clock.cpp" && rel != "src/futex.cpp") CHECK(s.find("CLOCK_REALTIME") == std::string::npos);
  }
  CHECK(files > 50);
}

namespace {

std::vector<std::string> with_wall_clock_jump(long seconds, std::vector<std::string> argv) {
  std::vector<std::string> out{"/usr/bin/env",
                               std::string("LD_PRELOAD=") + SHMSCOPE_WALL_CLOCK_JUMP_LIB,
                               "WALL_CLOCK_JUMP=" + std::to_string(seconds),
                               "WALL_CLOCK_JUMP_AFTER_MS=300"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

}  // namespace

TEST_CASE("a child's receipt timeout neither fires early nor stalls when its wall clock jumps an hour") {
#if defined(__SANITIZE_ADDRESS__)
  MESSAGE("not run under ASan: a preload library would come before the ASan runtime");
  return;
#endif
  shmtest::Watchdog dog(90s, "wall clock jump");
  // The preload library works: `date` sees the jump.
  {
    auto date = shmtest::ChildProcess::spawn({"/usr/bin/env",
                                              std::string("LD_PRELOAD=") + SHMSCOPE_WALL_CLOCK_JUMP_LIB,
                                              "WALL_CLOCK_JUMP=7200", "/bin/date", "+%s"});
    REQUIRE(date.wait_for(20s) == std::optional<int>(0));
    const long shown = std::stol(date.stdout_text());
    CHECK(shown - static_cast<long>(::time(nullptr)) > 7000);
  }
  for (long jump : {3600L, -3600L}) {
    CAPTURE(jump);
    const std::string session = shmtest::unique_session_name("wall-jump");
    Cleanup cleanup{session};
    const std::string shmipc = shmtest::binary_path("shmipc");
    auto parent = shmtest::ChildProcess::spawn({shmipc, "parent", "--session", session});
    REQUIRE(shmtest::eventually([&] { return says(parent, "waiting for the child"); }, 20s));
    parent.kill(SIGSTOP);
    const double t0 = monotonic_s();
    // The jump comes 0.3 s into the child's life, while it waits 1.5 s for the receipt.
    auto child = shmtest::ChildProcess::spawn(with_wall_clock_jump(
        jump, {shmipc, "child", "--session", session, "--send", "x", "--timeout", "1.5"}));
    const auto code = child.wait_for(30s);
    const double waited = monotonic_s() - t0;
    MESSAGE("wall clock jumped ", jump, " s: the child gave up after ", waited, " s");
    REQUIRE(code.has_value());
    CHECK(*code == 10);
    CHECK(waited >= 1.5);
    CHECK(waited < 15);
    parent.kill(SIGKILL);
  }
}
