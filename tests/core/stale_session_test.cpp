// Crashed processes and leftover blocks (docs/PROTOCOL.md, "Stale block" and "Leaving"):
// liveness comes from kernel locks, so a SIGKILLed peer's role is free at once and its block
// is reclaimed or its slot cleaned by whoever comes next.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>

#include "shmipc/block.hpp"
#include "shmipc/error.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/session.hpp"
#include "cli_helpers.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;
using shmipc::JournalKind;
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

// A process that joins, tells us its role through a pipe, then waits to be killed.
shmtest::ChildProcess start_member(const std::string& name, RoleRequest role, char& got) {
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  auto proc = shmtest::ChildProcess::fork([&]() -> int {
    ::close(ready[0]);
    auto s = Session::join(options(name, role));
    char r = s->role() == Role::Parent ? 'p' : s->role() == Role::Child ? 'c' : 'o';
    if (::write(ready[1], &r, 1) != 1) return 91;
    for (;;) ::pause();
  });
  ::close(ready[1]);
  got = '?';
  REQUIRE(::read(ready[0], &got, 1) == 1);
  ::close(ready[0]);
  return proc;
}

std::vector<shmipc::JournalItem> records_of(const Session& s, JournalKind kind) {
  std::vector<shmipc::JournalItem> out;
  for (const auto& item : shmipc::journal_read(const_cast<Session&>(s).block(), 0).items) {
    if (item.record.kind == static_cast<std::uint16_t>(kind)) out.push_back(item);
  }
  return out;
}

using shmtest::SegmentCleanup;

}  // namespace

TEST_CASE("a parent killed with SIGKILL leaves a block the next starter reclaims as parent") {
  shmtest::Watchdog dog(30s);
  const std::string name = shmtest::unique_session_name("stale-parent");
  SegmentCleanup cleanup{name};
  char role;
  auto dead = start_member(name, RoleRequest::Any, role);
  CHECK(role == 'p');
  const auto dead_pid = static_cast<std::uint64_t>(dead.pid());
  dead.kill(SIGKILL);
  REQUIRE(dead.wait_for(10s).has_value());
  REQUIRE(shmtest::segment_exists(name));  // nobody left to unlink it
  bool listed = false;
  for (const auto& info : shmipc::list_sessions()) {
    if (info.name != name) continue;
    listed = true;
    CHECK(info.stale);
    CHECK_FALSE(info.parent_alive);
    CHECK_FALSE(info.foreign);
  }
  CHECK(listed);

  auto next = Session::join(options(name));
  CHECK(next->role() == Role::Parent);
  CHECK(next->reclaimed());
  CHECK_FALSE(next->created());
  CHECK(next->block().header.session_epoch.load() == 1);
  auto reclaimed = records_of(*next, JournalKind::SessionReclaimed);
  REQUIRE(reclaimed.size() == 1);
  CHECK(reclaimed[0].record.value == dead_pid);  // it was the creator
  CHECK(records_of(*next, JournalKind::Join).size() == 1);
}

TEST_CASE(
    "a child killed with SIGKILL frees its role: a new child joins and PeerDied is journaled") {
  shmtest::Watchdog dog(30s);
  const std::string name = shmtest::unique_session_name("stale-child");
  SegmentCleanup cleanup{name};
  auto parent = Session::join(options(name));
  REQUIRE(parent->role() == Role::Parent);
  char role;
  auto child = start_member(name, RoleRequest::Any, role);
  CHECK(role == 'c');
  const auto child_pid = static_cast<std::uint64_t>(child.pid());
  CHECK(parent->role_alive(Role::Child));
  child.kill(SIGKILL);
  REQUIRE(child.wait_for(10s).has_value());
  CHECK_FALSE(parent->role_alive(Role::Child));

  auto again = Session::join(options(name));
  CHECK(again->role() == Role::Child);
  CHECK_FALSE(again->reclaimed());  // the parent still uses the block: kept, not rebuilt
  auto died = records_of(*again, JournalKind::PeerDied);
  REQUIRE(died.size() == 1);
  CHECK(died[0].record.value == child_pid);
  CHECK(died[0].record.arg == static_cast<std::uint32_t>(Role::Child));
  CHECK(again->block().participants[shmipc::kChildSlot].pid.load() ==
        static_cast<std::uint32_t>(::getpid()));
}

TEST_CASE(
    "a creator that died before sizing the segment leaves an empty object that is reclaimed") {
  shmtest::Watchdog dog(30s);
  const std::string name = shmtest::unique_session_name("stale-empty");
  SegmentCleanup cleanup{name};
  int fd = ::shm_open(("/shmscope." + name).c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  REQUIRE(fd >= 0);
  ::close(fd);  // no locks, size 0: as if killed right after shm_open

  auto s = Session::join(options(name));
  CHECK(s->role() == Role::Parent);
  CHECK(s->reclaimed());
  CHECK(s->block().header.magic == shmipc::kBlockMagic);
  CHECK(s->block().header.init_state.load() == shmipc::kInitReady);
  CHECK(records_of(*s, JournalKind::SessionReclaimed).size() == 1);
}

TEST_CASE("a creator that died half-way through building leaves a block that is reclaimed") {
  shmtest::Watchdog dog(30s);
  const std::string name = shmtest::unique_session_name("stale-half");
  SegmentCleanup cleanup{name};
  int fd = ::shm_open(("/shmscope." + name).c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(::ftruncate(fd, sizeof(shmipc::Block)) == 0);
  // Magic written, garbage in the message area, init_state never set to ready.
  std::uint64_t magic = shmipc::kBlockMagic;
  REQUIRE(::pwrite(fd, &magic, sizeof magic, 0) == sizeof magic);
  std::uint32_t garbage = 0xdeadbeef;
  REQUIRE(::pwrite(fd, &garbage, sizeof garbage, 80) == sizeof garbage);
  ::close(fd);

  auto s = Session::join(options(name));
  CHECK(s->role() == Role::Parent);
  CHECK(s->reclaimed());
  CHECK(s->block().message.data_size.load() == 0);
  CHECK(s->block().header.init_state.load() == shmipc::kInitReady);
}

TEST_CASE("the last member to leave removes the segment, not before") {
  shmtest::Watchdog dog(30s);
  const std::string name = shmtest::unique_session_name("stale-last");
  SegmentCleanup cleanup{name};
  auto parent = Session::join(options(name));
  char role;
  auto child = start_member(name, RoleRequest::Any, role);
  REQUIRE(role == 'c');
  auto observer = Session::join(options(name, RoleRequest::Observer));
  observer->leave();
  CHECK(shmtest::segment_exists(name));
  parent->leave();
  parent->leave();                       // idempotent
  CHECK(shmtest::segment_exists(name));  // the child still holds its member lock
  child.kill(SIGKILL);
  REQUIRE(child.wait_for(10s).has_value());
  // The dead child cannot unlink; the next joiner reclaims, and its leaving removes it.
  auto last = Session::join(options(name));
  CHECK(last->reclaimed());
  last.reset();
  CHECK_FALSE(shmtest::segment_exists(name));
}

TEST_CASE("joiners and leavers racing in a loop never produce two parents at once") {
  shmtest::Watchdog dog(90s);
  const std::string name = shmtest::unique_session_name("stale-race");
  SegmentCleanup cleanup{name};
  // Shared between the forked racers (not part of the session): how many are parent now.
  void* mem = ::mmap(nullptr, 64, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  REQUIRE(mem != MAP_FAILED);
  auto* parents = new (mem) std::atomic<int>(0);
  auto* violations = new (static_cast<char*>(mem) + 8) std::atomic<int>(0);
  constexpr int kRacers = 3;
  constexpr int kRounds = 150;
  std::vector<shmtest::ChildProcess> racers;
  for (int r = 0; r < kRacers; ++r) {
    racers.push_back(shmtest::ChildProcess::fork([&]() -> int {
      for (int i = 0; i < kRounds; ++i) {
        SessionOptions o = options(name, RoleRequest::AnyOrObserver);
        o.setup_timeout = 20s;
        auto s = Session::join(o);
        if (s->role() == Role::Parent) {
          if (parents->fetch_add(1) + 1 > 1) violations->fetch_add(1);
          ::usleep(100);
          parents->fetch_sub(1);
        }
        s->leave();
      }
      return 0;
    }));
  }
  for (auto& r : racers) CHECK(r.wait_for(80s) == 0);
  CHECK(violations->load() == 0);
  CHECK_FALSE(shmtest::segment_exists(name));
  ::munmap(mem, 64);
}

TEST_CASE("an observer joining a block left by dead peers keeps it as it was, for inspection") {
  shmtest::Watchdog dog(30s);
  const std::string name = shmtest::unique_session_name("stale-inspect");
  SegmentCleanup cleanup{name};
  char role;
  auto dead = start_member(name, RoleRequest::Any, role);
  REQUIRE(role == 'p');
  dead.kill(SIGKILL);
  REQUIRE(dead.wait_for(10s).has_value());

  auto observer = Session::join(options(name, RoleRequest::Observer));
  CHECK(observer->role() == Role::Observer);
  CHECK_FALSE(observer->reclaimed());
  CHECK(observer->block().header.session_epoch.load() == 0);
  CHECK(records_of(*observer, JournalKind::SessionCreated).size() == 1);  // history kept
  CHECK_FALSE(observer->role_alive(Role::Parent));

  // With a live member in it the block is no longer stale: a new parent keeps it and
  // reports the dead one.
  auto parent = Session::join(options(name));
  CHECK(parent->role() == Role::Parent);
  CHECK_FALSE(parent->reclaimed());
  auto died = records_of(*parent, JournalKind::PeerDied);
  REQUIRE(died.size() == 1);
  CHECK(died[0].record.value == static_cast<std::uint64_t>(dead.pid()));
}

TEST_CASE("an observer does not take part in a block that was never built") {
  shmtest::Watchdog dog(30s);
  const std::string name = shmtest::unique_session_name("stale-unbuilt");
  SegmentCleanup cleanup{name};
  int fd = ::shm_open(("/shmscope." + name).c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(::ftruncate(fd, sizeof(shmipc::Block)) == 0);
  ::close(fd);
  try {
    Session::join(options(name, RoleRequest::Observer));
    FAIL("no exception");
  } catch (const shmipc::Error& e) {
    CHECK(e.code() == shmipc::ErrorCode::NotFound);
    CHECK(std::string(e.what()).find("never finished") != std::string::npos);
  }
  CHECK(shmtest::segment_exists(name));
}
