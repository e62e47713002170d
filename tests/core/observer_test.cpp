// The passive observer: read-only, pread copies, kernel lock probes for liveness.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "shmipc/error.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/observer.hpp"
#include "shmipc/session.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;
using shmipc::Observer;
using shmipc::Role;
using shmipc::RoleRequest;

namespace {

// A process that joins, reports through a pipe, then waits to be killed. The session lives
// only in that process, so nothing here maps the segment (a truncation cannot hurt us).
shmtest::ChildProcess start_member(const std::string& name, RoleRequest role) {
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  auto proc = shmtest::ChildProcess::fork([&]() -> int {
    ::close(ready[0]);
    shmipc::SessionOptions o;
    o.name = name;
    o.role = role;
    auto s = shmipc::Session::join(o);
    char r = 'j';
    if (::write(ready[1], &r, 1) != 1) return 91;
    for (;;) ::pause();
  });
  ::close(ready[1]);
  char got = 0;
  REQUIRE(::read(ready[0], &got, 1) == 1);
  ::close(ready[0]);
  return proc;
}

struct SegmentCleanup {
  std::string name;
  ~SegmentCleanup() { shmtest::remove_segment(name); }
};

}  // namespace

TEST_CASE("an observer sees parent and child alive, and each dead after SIGKILL") {
  shmtest::Watchdog dog(30s);
  const std::string name = shmtest::unique_session_name("obs-live");
  SegmentCleanup cleanup{name};
  auto parent = start_member(name, RoleRequest::Parent);
  auto child = start_member(name, RoleRequest::Child);
  auto observer = Observer::open(name);
  CHECK(observer->name() == name);

  auto s = observer->snapshot();
  CHECK(s.problems.empty());
  CHECK(s.message.consistent);
  CHECK(s.attempts >= 1);
  REQUIRE(s.participants[0].role == Role::Parent);
  CHECK(s.participants[0].pid == static_cast<std::uint32_t>(parent.pid()));
  CHECK(s.participants[0].alive);
  REQUIRE(s.participants[1].role == Role::Child);
  CHECK(s.participants[1].pid == static_cast<std::uint32_t>(child.pid()));
  CHECK(s.participants[1].alive);
  CHECK(s.message.process_id == static_cast<std::uint32_t>(parent.pid()));
  CHECK(observer->role_alive(Role::Parent));
  CHECK(observer->role_alive(Role::Child));

  auto journal = observer->journal_since(s, 0);
  int joins = 0;
  for (const auto& item : journal.items) {
    if (item.record.kind == static_cast<std::uint16_t>(shmipc::JournalKind::Join)) ++joins;
  }
  CHECK(joins == 2);
  CHECK(journal.next == s.journal_next);

  child.kill(SIGKILL);
  REQUIRE(child.wait_for(10s).has_value());
  s = observer->snapshot();
  CHECK(s.participants[1].in_use());     // nobody cleaned the slot yet...
  CHECK_FALSE(s.participants[1].alive);  // ...but the kernel dropped its lock
  CHECK(s.participants[0].alive);
  CHECK_FALSE(observer->role_alive(Role::Child));

  parent.kill(SIGKILL);
  REQUIRE(parent.wait_for(10s).has_value());
  s = observer->snapshot();
  CHECK_FALSE(s.participants[0].alive);
  CHECK_FALSE(observer->role_alive(Role::Parent));
  CHECK(observer->still_linked());  // dead processes do not unlink
}

TEST_CASE("an observer notices when the last member leaves and the name goes away") {
  shmtest::Watchdog dog(30s);
  const std::string name = shmtest::unique_session_name("obs-linked");
  shmipc::SessionOptions o;
  o.name = name;
  auto session = shmipc::Session::join(o);
  auto observer = Observer::open(name);
  CHECK(observer->still_linked());
  session.reset();
  CHECK_FALSE(observer->still_linked());
  CHECK(observer->snapshot().header.ready);  // the copy it has open is still readable
}

TEST_CASE("a segment truncated by a hostile peer gives a problem, not SIGBUS") {
  shmtest::Watchdog dog(30s);
  const std::string name = shmtest::unique_session_name("obs-trunc");
  SegmentCleanup cleanup{name};
  auto parent = start_member(name, RoleRequest::Parent);
  auto observer = Observer::open(name);
  REQUIRE(observer->snapshot().problems.empty());

  int fd = ::shm_open(("/shmscope." + name).c_str(), O_RDWR, 0);
  REQUIRE(fd >= 0);
  REQUIRE(::ftruncate(fd, 100) == 0);
  ::close(fd);

  auto s = observer->snapshot();
  CHECK(s.raw.size() == 100);
  CHECK(s.corrupt());
  CHECK_FALSE(s.message.consistent);
  bool named = false;
  for (const auto& p : s.problems) {
    if (p.field == "block" && p.problem.find("truncated") != std::string::npos) named = true;
  }
  CHECK(named);
  parent.kill(SIGKILL);  // its mapping would die of SIGBUS at its next touch anyway
}

TEST_CASE("opening a missing or badly named session as observer is refused with its reason") {
  try {
    Observer::open(shmtest::unique_session_name("obs-missing"));
    FAIL("no exception");
  } catch (const shmipc::Error& e) {
    CHECK(e.code() == shmipc::ErrorCode::NotFound);
  }
  try {
    Observer::open("../etc");
    FAIL("no exception");
  } catch (const shmipc::Error& e) {
    CHECK(e.code() == shmipc::ErrorCode::InvalidName);
  }
}
