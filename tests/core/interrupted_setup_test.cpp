// A creator SIGKILLed at each point of its set-up, and a dead member whose pid now names an
// unrelated live process: the next start reclaims the block at once, without spinning, and
// liveness never trusts a pid alone (docs/PROTOCOL.md, "Stale block").
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>

#include "shmipc/block.hpp"
#include "shmipc/error.hpp"
#include "shmipc/observer.hpp"
#include "shmipc/process_identity.hpp"
#include "shmipc/session.hpp"
#include "cli_helpers.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;
using shmipc::Role;
using shmipc::RoleRequest;
using shmipc::Session;
using shmipc::SessionOptions;

namespace {

using shmtest::SegmentCleanup;

// How far the imitated creator gets before it is killed.
enum class SetupStage {
  Opened,         // shm_open(O_CREAT | O_EXCL), nothing else: no lock, size 0
  Locked,         // ... and its init lock (byte 2, write) taken: size 0
  Sized,          // ... and ftruncate to the block's size: all zeros
  HalfBuilt,      // ... and the header and part of the block written, init_state "building"
};

bool take_init_lock(int fd) {
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = 2;  // LockByte::Init
  fl.l_len = 1;
  return ::fcntl(fd, F_OFD_SETLK, &fl) == 0;
}

// A process that sets the segment up the way Session::join's creator does and stops at
// `stage` (tells us through a pipe), to be killed there.
shmtest::ChildProcess creator_stopping_at(const std::string& name, SetupStage stage) {
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  auto proc = shmtest::ChildProcess::fork([&]() -> int {
    ::close(ready[0]);
    int fd = ::shm_open(("/shmscope." + name).c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0) return 90;
    if (stage != SetupStage::Opened && !take_init_lock(fd)) return 91;
    if (stage == SetupStage::Sized || stage == SetupStage::HalfBuilt) {
      if (::ftruncate(fd, sizeof(shmipc::Block)) != 0) return 92;
    }
    if (stage == SetupStage::HalfBuilt) {
      void* mem = ::mmap(nullptr, sizeof(shmipc::Block), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      if (mem == MAP_FAILED) return 93;
      auto* raw = static_cast<unsigned char*>(mem);
      std::memset(raw, 0xA5, sizeof(shmipc::Block) / 2);  // garbage where the zeroes go
      auto* b = static_cast<shmipc::Block*>(mem);
      b->header.magic = shmipc::kBlockMagic;
      b->header.layout_version = shmipc::kLayoutVersion;
      b->header.block_size = sizeof(shmipc::Block);
      b->header.init_state.store(shmipc::kInitBuilding);
    }
    char c = 'r';
    if (::write(ready[1], &c, 1) != 1) return 94;
    for (;;) ::pause();
  });
  ::close(ready[1]);
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  ::close(ready[0]);
  return proc;
}

double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

const char* stage_name(SetupStage s) {
  switch (s) {
    case SetupStage::Opened:
      return "opened";
    case SetupStage::Locked:
      return "locked";
    case SetupStage::Sized:
      return "sized";
    case SetupStage::HalfBuilt:
      return "half-built";
  }
  return "?";
}

}  // namespace

TEST_CASE("a creator SIGKILLed at any point of its set-up leaves a block the next start reclaims within a second") {
  shmtest::Watchdog dog(60s);
  for (SetupStage stage :
       {SetupStage::Opened, SetupStage::Locked, SetupStage::Sized, SetupStage::HalfBuilt}) {
    CAPTURE(stage_name(stage));
    const std::string name = shmtest::unique_session_name("killed-setup");
    SegmentCleanup cleanup{name};
    auto creator = creator_stopping_at(name, stage);
    creator.kill(SIGKILL);
    REQUIRE(creator.wait_for(10s) == 128 + SIGKILL);

    SessionOptions o;
    o.name = name;
    const auto wall_start = std::chrono::steady_clock::now();
    const double cpu_start = thread_cpu_seconds();
    auto s = Session::join(o);
    const double cpu = thread_cpu_seconds() - cpu_start;
    const auto wall = std::chrono::steady_clock::now() - wall_start;
    const double wall_s = std::chrono::duration<double>(wall).count();
    MESSAGE(std::string(stage_name(stage)), ": reclaimed in ", wall_s * 1e3, " ms, ", cpu * 1e3, " ms of CPU");
    CHECK(wall_s < 1.0);
    CHECK(s->role() == Role::Parent);
    CHECK(s->reclaimed());
    CHECK(s->block().header.init_state.load() == shmipc::kInitReady);
    CHECK(s->block().message.data_size.load() == 0);  // the garbage is gone
    CHECK(s->block().mutex.owner_pid.load() == 0);
  }
}

TEST_CASE("a creator stopped during its set-up makes the next start wait without spinning, then give up") {
  shmtest::Watchdog dog(60s);
  const std::string name = shmtest::unique_session_name("stopped-setup");
  SegmentCleanup cleanup{name};
  auto creator = creator_stopping_at(name, SetupStage::Sized);
  creator.kill(SIGSTOP);
  SessionOptions o;
  o.name = name;
  o.setup_timeout = 1500ms;
  const auto wall_start = std::chrono::steady_clock::now();
  const double cpu_start = thread_cpu_seconds();
  try {
    Session::join(o);
    FAIL("joined a block whose creator still holds its init lock");
  } catch (const shmipc::Error& e) {
    CHECK(e.code() == shmipc::ErrorCode::Timeout);
    CHECK(std::string(e.what()).find("setting it up") != std::string::npos);
  }
  const double cpu = thread_cpu_seconds() - cpu_start;
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  MESSAGE("waited ", wall, " s using ", cpu * 1e3, " ms of CPU");
  CHECK(wall >= 1.4);
  CHECK(cpu < wall / 4);  // sleeping between tries, not spinning

  // Once it is gone (killed while stopped), the block is reclaimed at once.
  creator.kill(SIGKILL);
  REQUIRE(creator.wait_for(10s) == 128 + SIGKILL);
  auto s = Session::join(o);
  CHECK(s->reclaimed());
}

TEST_CASE("a stale block whose dead members' pids now name unrelated live processes is still stale") {
  shmtest::Watchdog dog(60s);
  const std::string name = shmtest::unique_session_name("pid-reused");
  SegmentCleanup cleanup{name};
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  // A parent and an observer that join, then die together.
  auto members = shmtest::ChildProcess::fork([&]() -> int {
    ::close(ready[0]);
    SessionOptions o;
    o.name = name;
    auto parent = Session::join(o);
    o.role = RoleRequest::Observer;
    auto observer = Session::join(o);
    char c = 'j';
    if (::write(ready[1], &c, 1) != 1) return 91;
    for (;;) ::pause();
  });
  ::close(ready[1]);
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  ::close(ready[0]);
  const auto dead_pid = static_cast<std::uint32_t>(members.pid());
  members.kill(SIGKILL);
  REQUIRE(members.wait_for(10s) == 128 + SIGKILL);

  // An unrelated live process takes over the dead pid in the block (as a reused pid would);
  // the recorded start time stays the dead process's. Start times count clock ticks (10 ms):
  // a real reuse comes after the pid space wrapped, so the unrelated one starts ticks later.
  ::usleep(50'000);
  auto unrelated = shmtest::ChildProcess::fork([] {
    for (;;) ::pause();
    return 0;
  });
  const auto live_pid = static_cast<std::uint32_t>(unrelated.pid());
  REQUIRE(shmipc::process_start_time(live_pid).has_value());
  {
    int fd = ::shm_open(("/shmscope." + name).c_str(), O_RDWR, 0);
    REQUIRE(fd >= 0);
    void* mem = ::mmap(nullptr, sizeof(shmipc::Block), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    REQUIRE(mem != MAP_FAILED);
    auto* b = static_cast<shmipc::Block*>(mem);
    REQUIRE(b->header.creator_pid == dead_pid);
    b->header.creator_pid = live_pid;
    int patched = 0;
    for (auto& slot : b->participants) {
      if (slot.pid.load() != dead_pid) continue;
      CHECK(slot.start_time.load() != *shmipc::process_start_time(live_pid));
      slot.pid.store(live_pid);
      ++patched;
    }
    CHECK(patched == 2);  // the parent's slot and the observer's
    ::munmap(mem, sizeof(shmipc::Block));
    ::close(fd);
  }

  bool listed = false;
  for (const auto& info : shmipc::list_sessions()) {
    if (info.name != name) continue;
    listed = true;
    CHECK(info.stale);
    CHECK_FALSE(info.parent_alive);
  }
  CHECK(listed);
  {
    auto observer = shmipc::Observer::open(name);
    const shmipc::Snapshot snap = observer->snapshot();
    int live_named = 0;
    for (const auto& p : snap.participants) {
      if (!p.in_use() || p.pid != live_pid) continue;
      ++live_named;
      CHECK_FALSE(p.alive);
    }
    CHECK(live_named == 2);
  }

  SessionOptions o;
  o.name = name;
  auto next = Session::join(o);
  CHECK(next->role() == Role::Parent);
  CHECK(next->reclaimed());
  CHECK(next->block().participants[2].role.load() == 0);  // the "reused" observer slot is gone
  CHECK(shmipc::is_alive({live_pid, *shmipc::process_start_time(live_pid)}));
}
