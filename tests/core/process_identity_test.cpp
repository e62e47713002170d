// Process identity: pid + start time, with zombies and reused pids counted as gone.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>

#include "shmipc/process_identity.hpp"
#include "test_process.hpp"

using namespace shmipc;
using namespace std::chrono_literals;

TEST_CASE("the current process is alive under its own pid and start time") {
  ProcessIdentity self = current_process();
  CHECK(self.pid == static_cast<std::uint32_t>(::getpid()));
  CHECK(self.start_time != 0);
  CHECK(process_start_time(self.pid) == self.start_time);
  CHECK(is_alive(self));
  // The same pid with another start time is another (earlier or later) process.
  CHECK_FALSE(is_alive({self.pid, self.start_time + 1}));
  CHECK_FALSE(is_alive({0, 0}));
  CHECK(current_tid() == static_cast<std::uint32_t>(::gettid()));
}

TEST_CASE("a command name with parentheses and spaces does not confuse the stat parser") {
  shmtest::Watchdog watchdog(30s, "stat parser");
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  auto child = shmtest::ChildProcess::fork([&ready] {
    ::prctl(PR_SET_NAME, "x) Z 1 2 (y");
    char byte = 1;
    if (::write(ready[1], &byte, 1) != 1) return 2;
    ::pause();
    return 0;
  });
  char byte = 0;
  REQUIRE(::read(ready[0], &byte, 1) == 1);
  auto pid = static_cast<std::uint32_t>(child.pid());
  auto start = process_start_time(pid);
  REQUIRE(start.has_value());  // its state is S, not the Z inside its name
  CHECK(*start >= current_process().start_time);
  CHECK(is_alive({pid, *start}));
  ::close(ready[0]);
  ::close(ready[1]);
}

TEST_CASE("a zombie and a reaped process are not alive") {
  shmtest::Watchdog watchdog(30s, "zombie");
  auto child = shmtest::ChildProcess::fork([] {
    ::pause();
    return 0;
  });
  pid_t pid = child.pid();
  auto upid = static_cast<std::uint32_t>(pid);
  auto start = process_start_time(upid);
  REQUIRE(start.has_value());
  ProcessIdentity who{upid, *start};
  CHECK(is_alive(who));
  child.kill(SIGKILL);
  // Not reaped yet: a zombie still answers kill(pid, 0), but it is gone for us.
  REQUIRE(shmtest::eventually([&] { return !is_alive(who); }, 10s));
  CHECK(::kill(pid, 0) == 0);
  REQUIRE(child.wait_for(10s) == 128 + SIGKILL);
  CHECK_FALSE(is_alive(who));
  CHECK_FALSE(process_start_time(upid).has_value());
}
