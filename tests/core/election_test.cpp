// Race-free election (docs/PROTOCOL.md, "Joining"): roles are kernel locks taken while the
// init lock is held, so exactly one parent and one child exist however many start at once.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "shmipc/error.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/session.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;
using shmipc::ErrorCode;
using shmipc::Role;
using shmipc::RoleRequest;
using shmipc::Session;
using shmipc::SessionOptions;

namespace {

SessionOptions options(const std::string& name, RoleRequest role = RoleRequest::Any) {
  SessionOptions o;
  o.name = name;
  o.role = role;
  return o;
}

ErrorCode join_error(const SessionOptions& o, std::string& message) {
  try {
    auto s = Session::join(o);
    FAIL("joined as " << shmipc::role_name(s->role()) << " but an error was expected");
  } catch (const shmipc::Error& e) {
    message = e.what();
    return e.code();
  }
  return ErrorCode::Usage;
}

}  // namespace

TEST_CASE("the first joiner becomes the parent, the second the child, the third finds it full") {
  shmtest::Watchdog dog(30s);
  const std::string name = shmtest::unique_session_name("elect");
  auto parent = Session::join(options(name));
  CHECK(parent->role() == Role::Parent);
  CHECK(parent->created());
  CHECK(parent->block().message.process_id.load() == static_cast<std::uint32_t>(::getpid()));
  auto child = Session::join(options(name));
  CHECK(child->role() == Role::Child);
  CHECK_FALSE(child->created());
  CHECK(child->role_alive(Role::Parent));
  CHECK(parent->role_alive(Role::Child));

  std::string message;
  CHECK(join_error(options(name), message) == ErrorCode::SessionFull);
  CHECK(message.find("session \"" + name + "\" is full: it already has a parent (pid ") == 0);
  CHECK(message.find("and a child (pid ") != std::string::npos);

  auto journal = shmipc::journal_read(parent->block(), 0);
  REQUIRE(journal.items.size() >= 3);
  CHECK(journal.items[0].record.kind ==
        static_cast<std::uint16_t>(shmipc::JournalKind::SessionCreated));
  int joins = 0;
  for (const auto& item : journal.items) {
    if (item.record.kind == static_cast<std::uint16_t>(shmipc::JournalKind::Join)) ++joins;
  }
  CHECK(joins == 2);
  child.reset();
  parent.reset();
  CHECK_FALSE(shmtest::segment_exists(name));
}

TEST_CASE("a third joiner that accepts it becomes an observer") {
  shmtest::Watchdog dog(30s);
  const std::string name = shmtest::unique_session_name("elect-obs");
  auto parent = Session::join(options(name, RoleRequest::AnyOrObserver));
  auto child = Session::join(options(name, RoleRequest::AnyOrObserver));
  auto third = Session::join(options(name, RoleRequest::AnyOrObserver));
  CHECK(parent->role() == Role::Parent);
  CHECK(child->role() == Role::Child);
  CHECK(third->role() == Role::Observer);
  CHECK(third->actor().slot >= 2);
  CHECK(third->block().participants[third->actor().slot].role.load() ==
        static_cast<std::uint32_t>(Role::Observer));
  CHECK(parent->role_alive(Role::Observer));
  third.reset();
  CHECK(shmtest::segment_exists(name));  // parent and child still use it
  child.reset();
  parent.reset();
  CHECK_FALSE(shmtest::segment_exists(name));
}

TEST_CASE("a forced role that is taken is refused with RoleTaken") {
  shmtest::Watchdog dog(30s);
  const std::string name = shmtest::unique_session_name("elect-forced");
  std::string message;
  CHECK(join_error(options(name, RoleRequest::Child), message) == ErrorCode::NotFound);
  auto parent = Session::join(options(name, RoleRequest::Parent));
  CHECK(join_error(options(name, RoleRequest::Parent), message) == ErrorCode::RoleTaken);
  CHECK(message.find("already has a parent (pid " + std::to_string(::getpid()) + ")") !=
        std::string::npos);
  auto child = Session::join(options(name, RoleRequest::Child));
  CHECK(child->role() == Role::Child);
  CHECK(join_error(options(name, RoleRequest::Child), message) == ErrorCode::RoleTaken);
  CHECK(message.find("already has a child") != std::string::npos);
}

TEST_CASE("a forced child finds no session rather than creating one") {
  shmtest::Watchdog dog(30s);
  const std::string name = shmtest::unique_session_name("elect-nf");
  std::string message;
  CHECK(join_error(options(name, RoleRequest::Child), message) == ErrorCode::NotFound);
  CHECK(message.find("no session \"" + name + "\"") == 0);
  CHECK_FALSE(shmtest::segment_exists(name));
}

TEST_CASE("twenty processes started at once elect exactly one parent and one child") {
  shmtest::Watchdog dog(60s);
  const std::string name = shmtest::unique_session_name("elect-20");
  constexpr int kProcesses = 20;
  int start[2], finish[2], results[2];
  REQUIRE(::pipe(start) == 0);
  REQUIRE(::pipe(finish) == 0);
  REQUIRE(::pipe(results) == 0);
  std::vector<shmtest::ChildProcess> procs;
  for (int i = 0; i < kProcesses; ++i) {
    procs.push_back(shmtest::ChildProcess::fork([&]() -> int {
      ::close(start[1]);
      ::close(finish[1]);
      ::close(results[0]);
      char c;
      if (::read(start[0], &c, 1) != 0) return 90;  // released together by EOF
      char outcome = 'x';
      std::unique_ptr<Session> s;
      try {
        SessionOptions o = options(name);
        o.setup_timeout = 20s;
        s = Session::join(o);
        outcome = s->role() == Role::Parent ? 'p' : s->role() == Role::Child ? 'c' : 'o';
      } catch (const shmipc::Error& e) {
        outcome = e.code() == ErrorCode::SessionFull ? 'f' : 'e';
        if (outcome == 'e') std::fprintf(stderr, "join failed: %s\n", e.what());
      } catch (const std::exception& e) {
        // Anything else is a bug to report, not a reason for the test to wait for an outcome
        // that never comes.
        outcome = 'u';
        std::fprintf(stderr, "join threw an unexpected exception: %s\n", e.what());
      }
      const bool wrote = ::write(results[1], &outcome, 1) == 1;
      // A process that dies without writing must not keep the others' results pipe open.
      ::close(results[1]);
      if (!wrote) return 91;
      // Everyone keeps what it got until all have joined: a leaving parent would free its role.
      while (::read(finish[0], &c, 1) > 0) {
      }
      return 0;
    }));
  }
  ::close(start[0]);
  ::close(finish[0]);
  ::close(results[1]);
  ::close(start[1]);  // go
  std::string outcomes;
  char c;
  // Ends at 20 outcomes, or early (EOF) once every process has written or died.
  while (outcomes.size() < kProcesses && ::read(results[0], &c, 1) == 1) outcomes += c;
  INFO("outcomes (p parent, c child, f full, e error, u unexpected): " << outcomes);
  ::close(finish[1]);
  ::close(results[0]);
  for (auto& p : procs) CHECK(p.wait_for(30s) == 0);
  REQUIRE(outcomes.size() == kProcesses);
  CHECK(std::count(outcomes.begin(), outcomes.end(), 'p') == 1);
  CHECK(std::count(outcomes.begin(), outcomes.end(), 'c') == 1);
  CHECK(std::count(outcomes.begin(), outcomes.end(), 'f') == kProcesses - 2);
  CHECK_FALSE(shmtest::segment_exists(name));
}
