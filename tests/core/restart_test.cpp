// Peers SIGKILLed and restarted at once, over and over, with real `shmipc` processes: a new
// parent lands on the segment its living child uses (same inode, seen in /proc/PID/maps), and
// /dev/shm never holds more than one object for the session.
#include <doctest/doctest.h>
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "shmipc/observer.hpp"
#include "shmipc/process_identity.hpp"
#include "shmipc/session.hpp"
#include "cli_helpers.hpp"
#include "fault_support.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;

namespace {

using Cleanup = shmtest::SegmentCleanup;
using shmtest::says;
using shmtest::shmipc_cmd;

// The inode of the session segment that process `pid` has mapped, from /proc/PID/maps;
// nullopt if it maps none. A mapping of an unlinked object ends in " (deleted)": -1.
std::optional<long> mapped_inode(pid_t pid, const std::string& session) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  const std::string path = "/dev/shm/shmscope." + session;
  std::string line;
  while (std::getline(maps, line)) {
    const auto at = line.find(path);
    if (at == std::string::npos) continue;
    const std::string tail = line.substr(at + path.size());
    if (!tail.empty()) return tail.find("(deleted)") != std::string::npos ? -1 : -2;
    std::istringstream fields(line);
    std::string range, perms, offset, dev;
    long inode = 0;
    fields >> range >> perms >> offset >> dev >> inode;
    return inode;
  }
  return std::nullopt;
}

std::optional<long> named_inode(const std::string& session) {
  struct stat st {};
  if (::stat(("/dev/shm/shmscope." + session).c_str(), &st) != 0) return std::nullopt;
  return static_cast<long>(st.st_ino);
}

// Objects in /dev/shm whose name begins with the session's (the segment, and anything a
// library might add beside it).
int objects_for(const std::string& session) {
  const std::string prefix = "shmscope." + session;
  int n = 0;
  DIR* dir = ::opendir("/dev/shm");
  if (dir == nullptr) return -1;
  while (const dirent* e = ::readdir(dir)) {
    if (std::string(e->d_name).rfind(prefix, 0) == 0) ++n;
  }
  ::closedir(dir);
  return n;
}

// Starts `shmipc parent`; a parent killed a moment ago may still hold its role lock for a few
// microseconds ("role taken", exit 5): then start again, as a supervisor would.
shmtest::ChildProcess start_parent(const std::string& session, int& role_taken) {
  for (;;) {
    auto parent = shmtest::ChildProcess::spawn(shmipc_cmd("parent", session));
    bool up = shmtest::eventually(
        [&] { return says(parent, "waiting for the child") || !parent.running(); }, 20s);
    REQUIRE(up);
    if (says(parent, "waiting for the child")) return parent;
    const auto code = parent.wait_for(1s);
    REQUIRE(code == std::optional<int>(5));
    ++role_taken;
  }
}

// Stops the child where it holds nothing the new parent needs to join (the mutex). Stopped,
// it cannot notice the parent's death, however long the restart takes (an ASan build needs
// ~300 ms to start, a loaded machine more): its parent is gone and back "within no time" for
// it, and whatever it was waiting for is answered by the new parent after SIGCONT.
void stop_outside_the_mutex(shmtest::ChildProcess& child, const std::string& session) {
  const auto pid = static_cast<std::uint32_t>(child.pid());
  for (;;) {
    child.kill(SIGSTOP);
    REQUIRE(shmtest::eventually([&] { return shmipc::process_state(pid) == 'T'; }, 10s));
    if (shmipc::Observer::open(session)->snapshot().mutex.owner_pid != pid) return;
    child.kill(SIGCONT);
    std::this_thread::sleep_for(1ms);
  }
}

}  // namespace

TEST_CASE("a parent SIGKILLed and restarted within milliseconds lands on its living child's segment") {
  shmtest::Watchdog dog(100s, "parent restarts");
  const std::string session = shmtest::unique_session_name("parent-restart");
  Cleanup cleanup{session};
  int role_taken = 0;
  auto parent = start_parent(session, role_taken);
  auto child = shmtest::ChildProcess::spawn(
      shmipc_cmd("child", session, {"--send", "tick", "--every", "0.005", "--timeout", "20"}));
  REQUIRE(shmtest::eventually([&] { return says(parent, "tick #"); }, 20s));
  const auto first_inode = named_inode(session);
  REQUIRE(first_inode.has_value());

  constexpr int kRounds = 25;
  for (int round = 0; round < kRounds; ++round) {
    CAPTURE(round);
    stop_outside_the_mutex(child, session);
    parent.kill(SIGKILL);  // not reaped first: the new one starts while the old one dies
    auto next = start_parent(session, role_taken);
    child.kill(SIGCONT);
    REQUIRE(shmtest::eventually([&] { return says(next, "tick #"); }, 20s));
    const auto by_name = named_inode(session);
    CHECK(by_name == first_inode);
    CHECK(mapped_inode(next.pid(), session) == first_inode);
    CHECK(mapped_inode(child.pid(), session) == first_inode);
    CHECK(objects_for(session) == 1);
    REQUIRE(child.running());
    parent = std::move(next);
  }
  MESSAGE(kRounds, " restarts; ", role_taken, " found the dying parent's role still taken");
  parent.kill(SIGKILL);
  child.kill(SIGKILL);
}

TEST_CASE("a parent killed after its wait took the child's message but before reading it: the parent started next reads it and the waiting child gets its receipt") {
  shmtest::Watchdog dog(60s, "unread at takeover");
  const std::string session = shmtest::unique_session_name("unread-takeover");
  Cleanup cleanup{session};
  // Lock 1 is the parent's join, lock 2 its read of message #1: it stops there, SendMessage
  // already consumed by its wait.
  auto first =
      shmtest::ChildProcess::spawn(faulttest::shmipc_cmd("parent", session, {}, "after-lock:2:stop"));
  REQUIRE(shmtest::eventually([&] { return says(first, "waiting for the child"); }, 20s));
  auto child = shmtest::ChildProcess::spawn(
      shmipc_cmd("child", session, {"--send", "kept", "--timeout", "15"}));
  REQUIRE(shmtest::eventually(
      [&] { return shmipc::process_state(static_cast<std::uint32_t>(first.pid())) == 'T'; }, 20s));
  // The child waits for its receipt; stopped, it cannot see the parent die and come back.
  child.kill(SIGSTOP);
  REQUIRE(shmtest::eventually(
      [&] { return shmipc::process_state(static_cast<std::uint32_t>(child.pid())) == 'T'; }, 10s));
  first.kill(SIGKILL);
  first.wait_for(5s);
  int role_taken = 0;
  auto next = start_parent(session, role_taken);
  child.kill(SIGCONT);
  CHECK(shmtest::eventually([&] { return says(next, "): kept"); }, 20s));
  const auto code = child.wait_for(30s);
  CAPTURE(child.stderr_text());
  CHECK(code == std::optional<int>(0));
  CHECK(says(child, "received by the parent"));
  next.kill(SIGKILL);
}

TEST_CASE("a hundred rounds of SIGKILL to both peers and restart leave at most one object in /dev/shm") {
  shmtest::Watchdog dog(110s, "kill both peers");
  const std::string session = shmtest::unique_session_name("kill-both");
  Cleanup cleanup{session};
  int role_taken = 0;
  int max_objects = 0;
  constexpr int kRounds = 100;
  for (int round = 0; round < kRounds; ++round) {
    CAPTURE(round);
    auto parent = start_parent(session, role_taken);
    auto child = shmtest::ChildProcess::spawn(
        shmipc_cmd("child", session, {"--send", "r" + std::to_string(round), "--every", "0.002"}));
    REQUIRE(shmtest::eventually([&] { return says(parent, "r" + std::to_string(round) + " #"); },
                                20s));
    max_objects = std::max(max_objects, objects_for(session));
    // Both at once, in alternating order.
    if (round % 2 == 0) {
      parent.kill(SIGKILL);
      child.kill(SIGKILL);
    } else {
      child.kill(SIGKILL);
      parent.kill(SIGKILL);
    }
    REQUIRE(parent.wait_for(10s).has_value());
    REQUIRE(child.wait_for(10s).has_value());
    const int left = objects_for(session);
    max_objects = std::max(max_objects, left);
    CHECK(left == 1);  // the stale block, waiting for the next start to reclaim it
  }
  CHECK(max_objects == 1);
  auto clean = shmtest::ChildProcess::spawn(shmipc_cmd("clean", session));
  CHECK(clean.wait_for(20s) == std::optional<int>(0));
  CHECK(objects_for(session) == 0);
}

TEST_CASE("a message whose parent died before its receipt is withdrawn, and the next parent does not deliver it") {
  shmtest::Watchdog dog(60s, "withdraw after parent death");
  const std::string session = shmtest::unique_session_name("parent-died");
  Cleanup cleanup{session};
  int role_taken = 0;
  auto parent = start_parent(session, role_taken);
  // A live member besides the child keeps the block (and the pending SendMessage) for the
  // next parent, as a monitor would.
  auto observer = shmtest::ChildProcess::fork([session]() -> int {
    shmipc::SessionOptions o;
    o.name = session;
    o.role = shmipc::RoleRequest::Observer;
    auto s = shmipc::Session::join(o);
    for (;;) ::pause();
  });
  REQUIRE(shmtest::eventually(
      [&] { return shmipc::Observer::open(session)->role_alive(shmipc::Role::Observer); }, 20s));
  parent.kill(SIGSTOP);
  auto child = shmtest::ChildProcess::spawn(
      shmipc_cmd("child", session, {"--send", "orphan", "--timeout", "20"}));
  REQUIRE(shmtest::eventually([&] { return says(child, "acknowledged"); }, 20s));
  std::this_thread::sleep_for(200ms);  // the message is written; the child waits for its receipt
  parent.kill(SIGKILL);
  const auto code = child.wait_for(20s);
  REQUIRE(code.has_value());
  const std::string err = child.stderr_text();
  CAPTURE(err);
  CHECK(*code == 11);
  CHECK(err.find("NOT delivered (withdrawn") != std::string::npos);

  // The next parent finds the pending SendMessage and the withdrawn message: not delivered.
  auto next = start_parent(session, role_taken);
  REQUIRE(shmtest::eventually([&] { return says(next, "was withdrawn by the child"); }, 20s));
  CHECK_FALSE(says(next, "orphan"));
}
