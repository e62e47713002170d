// Process death at every protocol step (docs/RELIABILITY.md, "Fault injection"): a real
// `shmipc` peer is made to SIGKILL itself at one point (SHMIPC_FAULT); the survivor, here an
// in-process peer on the same block, must notice and go on, never deliver a torn message as
// valid, find the death in the journal, and leave no lock, count or slot wrong; a new peer
// then joins and exchanges messages.
#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>

#include "fault_support.hpp"
#include "shmipc/auto_reset_event.hpp"
#include "shmipc/error.hpp"
#include "shmipc/fault_injection.hpp"
#include "shmipc/liveness.hpp"
#include "shmipc/step_controller.hpp"

using namespace faulttest;
using shmipc::JournalKind;

namespace {

// A `shmipc parent` that will die at `fault`, and this process as its child.
struct ParentVictim {
  std::string session;
  shmtest::ChildProcess parent;
  std::unique_ptr<shmipc::Session> me;
  std::unique_ptr<shmipc::ChildPeer> child;

  ParentVictim(const std::string& name, const std::string& fault)
      : session(name), parent(shmtest::ChildProcess::spawn(shmipc_cmd("parent", name, {}, fault))) {
    REQUIRE(shmtest::eventually([&] { return says(parent, "waiting for the child"); }, 10s));
    me = join(session, shmipc::RoleRequest::Child);
    child = std::make_unique<shmipc::ChildPeer>(*me);
    child->acknowledge(shmipc::deadline_after(5s));
  }
};

// This process as the parent, and a `shmipc child --send TEXT` that will die at `fault`.
struct ChildVictim {
  std::string session;
  std::unique_ptr<shmipc::Session> me;
  std::unique_ptr<shmipc::ParentPeer> parent;
  ParentLog log;

  explicit ChildVictim(const std::string& name)
      : session(name),
        me(join(name, shmipc::RoleRequest::Parent)),
        parent(std::make_unique<shmipc::ParentPeer>(*me)) {}

  shmtest::ChildProcess spawn(const std::string& fault, const std::string& text = "doomed") {
    return shmtest::ChildProcess::spawn(shmipc_cmd("child", session, {"--send", text}, fault));
  }
  // Waits for the victim's death (the parent keeps serving meanwhile when `serve`).
  Clock::time_point dies(shmtest::ChildProcess& victim, bool serve = true) {
    const auto end = Clock::now() + 20s;
    while (victim.running() && Clock::now() < end) {
      if (serve) pump(*parent, log, [](const ParentLog&) { return false; }, 50ms);
      else std::this_thread::sleep_for(2ms);
    }
    const auto died = Clock::now();
    REQUIRE(victim.wait_for(1s) == std::optional<int>(kKilled));
    CHECK(victim.stderr_text().find("fault injection") != std::string::npos);
    // The survivor's own view: the child's role lock went with it.
    CHECK_FALSE(me->role_alive(shmipc::Role::Child));
    report_detection("parent sees the child's role free", died, Clock::now());
    return died;
  }
};

}  // namespace

TEST_CASE("fault names: SHMIPC_FAULT values parse, unknown ones are refused") {
  using namespace shmipc::fault;
  const auto plain = parse_plan("after-lock");
  REQUIRE(plain);
  CHECK(plain->point == Point::AfterLock);
  CHECK(plain->nth == 1);
  CHECK(plain->action == Action::Kill);
  const auto counted = parse_plan("mid-write:3:stop");
  REQUIRE(counted);
  CHECK(counted->point == Point::MidWrite);
  CHECK(counted->nth == 3);
  CHECK(counted->action == Action::Stop);
  for (const char* name : {"after-lock", "mid-write", "before-unlock", "after-unlock",
                           "receipt-wait", "step-gate", "slot-claim", "join", "leave"}) {
    CAPTURE(name);
    const auto p = point_named(name);
    REQUIRE(p);
    CHECK(point_name(*p) == name);
  }
  CHECK_FALSE(parse_plan("after-lunch"));
  CHECK_FALSE(parse_plan("mid-write:0"));
  CHECK_FALSE(parse_plan("mid-write:x"));
  CHECK_FALSE(parse_plan(""));
  // This test process has no SHMIPC_FAULT: every point is off.
  CHECK(detail::g_armed == Point::None);
}

TEST_CASE("a parent killed right after taking the mutex: the child's receipt wait ends, the next parent recovers the lock") {
  shmtest::Watchdog watchdog(90s, "fault after-lock");
  const std::string name = shmtest::unique_session_name("fault-after-lock");
  Cleanup cleanup{name};
  // Lock 1 is the parent's join (processID), lock 2 its read of message #1.
  ParentVictim v(name, "after-lock:2");
  std::atomic<bool> dead{false};
  Clock::time_point died{};
  std::thread reaper([&] {
    v.parent.wait_for(30s);
    died = Clock::now();
    dead = true;
  });
  bool peer_gone = false;
  try {
    v.child->send_message("one", shmipc::deadline_after(20s));
  } catch (const shmipc::Error& e) {
    peer_gone = e.code() == shmipc::ErrorCode::PeerGone;
    CAPTURE(e.what());
  }
  const auto noticed = Clock::now();
  reaper.join();
  CHECK(peer_gone);
  CHECK(v.parent.wait_for(1s) == std::optional<int>(kKilled));
  report_detection("child waiting for a receipt sees the parent die", died, noticed);

  auto dead_holder = snapshot_of(name);
  CHECK(dead_holder.mutex.owner_pid == static_cast<std::uint32_t>(v.parent.pid()));
  // As `shmipc child` does: the message is withdrawn (recovering the dead parent's mutex), so
  // the parent started next, which reads a predecessor's unread message, does not deliver it.
  CHECK(v.child->withdraw_unread(1, shmipc::deadline_after(5s)) ==
        shmipc::ChildPeer::Withdrawal::Withdrawn);

  auto next = shmtest::ChildProcess::spawn(shmipc_cmd("parent", name));
  REQUIRE(shmtest::eventually([&] { return says(next, "waiting for the child"); }, 10s));
  CHECK(shmtest::eventually([&] { return says(next, "message #1 was withdrawn"); }, 10s));
  const auto r = v.child->send_message("two", shmipc::deadline_after(20s));
  CHECK(r.receipt);
  CHECK(shmtest::eventually([&] { return says(next, "): two"); }, 10s));
  CHECK_FALSE(says(next, "): one"));

  const auto s = snapshot_of(name);
  CHECK(journaled(s, JournalKind::OwnerDied, static_cast<std::uint64_t>(v.parent.pid())));
  CHECK_FALSE(journaled(s, JournalKind::TornWrite));
  CHECK(s.mutex.owner_died_count == 1);
  check_nothing_left_wrong(s);
  CHECK(v.child->send_command(shmipc::Command::KillApp, 0, shmipc::deadline_after(10s)));
  CHECK(next.wait_for(10s) == std::optional<int>(0));
}

TEST_CASE("a child killed half-way through writing a message: the torn message is never delivered as valid") {
  shmtest::Watchdog watchdog(90s, "fault mid-write");
  const std::string name = shmtest::unique_session_name("fault-mid-write");
  Cleanup cleanup{name};
  ChildVictim v(name);
  const std::string big(600, 'T');
  auto victim = v.spawn("mid-write", big);
  v.dies(victim);
  CHECK(v.log.started == std::vector<std::uint32_t>{static_cast<std::uint32_t>(victim.pid())});

  const auto torn = snapshot_of(name);
  CHECK_FALSE(torn.message.consistent);
  CHECK(torn.mutex.owner_pid == static_cast<std::uint32_t>(victim.pid()));
  CHECK(shmipc::liveness_of(torn.participants[shmipc::kChildSlot].alive, victim.pid(),
                            torn.participants[shmipc::kChildSlot].activity, 0, 0) ==
        shmipc::Liveness::Dead);

  // Make the parent read the area as if the message had been announced.
  shmipc::Events(v.me->actor()).set(shmipc::EventId::SendMessage);
  REQUIRE(pump(*v.parent, v.log, [](const ParentLog& l) { return !l.messages.empty(); }));
  const auto& m = v.log.messages.front();
  CHECK(m.torn);
  CHECK(m.data != big);

  new_child_exchanges(name, *v.parent, v.log);
  for (const auto& got : v.log.messages) CHECK_FALSE((got.data == big && !got.torn));
  const auto s = snapshot_of(name);
  CHECK(journaled(s, JournalKind::OwnerDied, static_cast<std::uint64_t>(victim.pid())));
  CHECK(journaled(s, JournalKind::TornWrite));
  check_nothing_left_wrong(s);
}

TEST_CASE("a child killed with a whole message written but the mutex not yet released: the next locker recovers it") {
  shmtest::Watchdog watchdog(90s, "fault before-unlock");
  const std::string name = shmtest::unique_session_name("fault-before-unlock");
  Cleanup cleanup{name};
  ChildVictim v(name);
  // Unlock 1 ends the acknowledgement, unlock 2 the message.
  auto victim = v.spawn("before-unlock:2", "whole");
  v.dies(victim);
  const auto held = snapshot_of(name);
  CHECK(held.message.consistent);
  CHECK(held.mutex.owner_pid == static_cast<std::uint32_t>(victim.pid()));

  new_child_exchanges(name, *v.parent, v.log);
  for (const auto& got : v.log.messages) CHECK_FALSE(got.torn);
  const auto s = snapshot_of(name);
  CHECK(journaled(s, JournalKind::OwnerDied, static_cast<std::uint64_t>(victim.pid())));
  CHECK_FALSE(journaled(s, JournalKind::TornWrite));
  check_nothing_left_wrong(s);
}

TEST_CASE("a parent killed after reading a message but before setting the receipt: the child still learns it was read") {
  shmtest::Watchdog watchdog(90s, "fault after-unlock");
  const std::string name = shmtest::unique_session_name("fault-after-unlock");
  Cleanup cleanup{name};
  ParentVictim v(name, "after-unlock");
  Clock::time_point died{};
  std::thread reaper([&] {
    v.parent.wait_for(30s);
    died = Clock::now();
  });
  const auto r = v.child->send_message("read-then-died", shmipc::deadline_after(20s));
  const auto noticed = Clock::now();
  reaper.join();
  CHECK(v.parent.wait_for(1s) == std::optional<int>(kKilled));
  // The parent consumed it (message_read_sequence) though it never set ReceiveMessage.
  CHECK(r.receipt);
  report_detection("child learns the message was read without a receipt", died, noticed);

  auto next = shmtest::ChildProcess::spawn(shmipc_cmd("parent", name));
  REQUIRE(shmtest::eventually([&] { return says(next, "waiting for the child"); }, 10s));
  CHECK(v.child->send_message("two", shmipc::deadline_after(20s)).receipt);
  CHECK(shmtest::eventually([&] { return says(next, "): two"); }, 10s));
  const auto s = snapshot_of(name);
  CHECK(journaled(s, JournalKind::MessageRead, std::nullopt, static_cast<std::uint32_t>(v.parent.pid())));
  CHECK(journaled(s, JournalKind::PeerDied, static_cast<std::uint64_t>(v.parent.pid())));
  check_nothing_left_wrong(s);
  CHECK(v.child->send_command(shmipc::Command::KillApp, 0, shmipc::deadline_after(10s)));
  CHECK(next.wait_for(10s) == std::optional<int>(0));
}

TEST_CASE("a child killed after writing a message but before announcing it: the parent goes on with the next child") {
  shmtest::Watchdog watchdog(90s, "fault after-unlock child");
  const std::string name = shmtest::unique_session_name("fault-after-unlock-child");
  Cleanup cleanup{name};
  ChildVictim v(name);
  // Point 1 is after the acknowledgement, point 2 after message #1.
  auto victim = v.spawn("after-unlock:2", "never-announced");
  v.dies(victim);
  new_child_exchanges(name, *v.parent, v.log);
  const auto s = snapshot_of(name);
  CHECK(journaled(s, JournalKind::MessageWritten, 1, static_cast<std::uint32_t>(victim.pid())));
  CHECK(journaled(s, JournalKind::PeerDied, static_cast<std::uint64_t>(victim.pid())));
  check_nothing_left_wrong(s);
}

TEST_CASE("a child killed while waiting for its receipt: its waiter slot is shown stale, then given back") {
  shmtest::Watchdog watchdog(90s, "fault receipt-wait");
  const std::string name = shmtest::unique_session_name("fault-receipt-wait");
  Cleanup cleanup{name};
  ChildVictim v(name);
  auto victim = v.spawn("receipt-wait", "whole-but-unreceipted");
  v.dies(victim, /*serve=*/false);  // nobody reads: the child must be waiting when it dies

  const auto stale = snapshot_of(name);
  const auto& receipt = stale.events[static_cast<std::size_t>(shmipc::EventId::ReceiveMessage)];
  CHECK(receipt.waiters == 1);
  CHECK(receipt.stale_waiters == 1);
  CHECK(receipt.live_waiters() == 0);

  // The message itself was whole: reading it later delivers it, once.
  REQUIRE(pump(*v.parent, v.log, [](const ParentLog& l) { return !l.messages.empty(); }));
  CHECK(v.log.got("whole-but-unreceipted"));
  new_child_exchanges(name, *v.parent, v.log);
  const auto s = snapshot_of(name);
  CHECK(journaled(s, JournalKind::PeerDied, static_cast<std::uint64_t>(victim.pid())));
  for (const auto& w : s.waiters) CHECK(w.owner_pid != static_cast<std::uint32_t>(victim.pid()));
  check_nothing_left_wrong(s);
}

TEST_CASE("a child killed while parked at a step gate: the driver sees it dead, the session goes on when stepping ends") {
  shmtest::Watchdog watchdog(90s, "fault step-gate");
  const std::string name = shmtest::unique_session_name("fault-step-gate");
  Cleanup cleanup{name};
  auto parent = shmtest::ChildProcess::spawn(shmipc_cmd("parent", name));
  REQUIRE(shmtest::eventually([&] { return says(parent, "waiting for the child"); }, 10s));
  auto tool = join(name, shmipc::RoleRequest::Tool);
  shmipc::StepController driver(*tool);
  driver.enable();
  auto victim = shmtest::ChildProcess::spawn(shmipc_cmd("child", name, {"--send", "x"}, "step-gate"));
  REQUIRE(victim.wait_for(20s) == std::optional<int>(kKilled));
  const auto died = Clock::now();
  bool seen_dead = false;
  for (const auto& a : driver.pending())
    if (a.pid == static_cast<std::uint32_t>(victim.pid())) seen_dead = !a.alive;
  report_detection("step driver sees the parked child dead", died, Clock::now());
  CHECK(seen_dead);
  CHECK(journaled(snapshot_of(name), JournalKind::StepPending, std::nullopt,
                  static_cast<std::uint32_t>(victim.pid())));

  driver.disable();
  auto next = shmtest::ChildProcess::spawn(shmipc_cmd("child", name, {"--send", "after", "--kill"}));
  CHECK(next.wait_for(20s) == std::optional<int>(0));
  CHECK(shmtest::eventually([&] { return says(parent, "): after"); }, 10s));
  CHECK(parent.wait_for(10s) == std::optional<int>(0));
  const auto s = snapshot_of(name);
  CHECK(journaled(s, JournalKind::PeerDied, static_cast<std::uint64_t>(victim.pid())));
  check_nothing_left_wrong(s);
}

TEST_CASE("a child killed while joining: its half-taken slot is found dead and taken by the next child") {
  shmtest::Watchdog watchdog(90s, "fault join");
  const std::string name = shmtest::unique_session_name("fault-join");
  Cleanup cleanup{name};
  ChildVictim v(name);
  auto victim = v.spawn("join");
  v.dies(victim);
  const auto half = snapshot_of(name);
  const auto& slot = half.participants[shmipc::kChildSlot];
  CHECK(slot.pid == static_cast<std::uint32_t>(victim.pid()));
  CHECK_FALSE(slot.alive);
  CHECK_FALSE(journaled(half, JournalKind::Join, std::nullopt, static_cast<std::uint32_t>(victim.pid())));
  new_child_exchanges(name, *v.parent, v.log);
  const auto s = snapshot_of(name);
  CHECK(journaled(s, JournalKind::PeerDied, static_cast<std::uint64_t>(victim.pid())));
  check_nothing_left_wrong(s);
}

TEST_CASE("a parent killed while creating and joining a session: the next parent reclaims the block") {
  shmtest::Watchdog watchdog(90s, "fault join parent");
  const std::string name = shmtest::unique_session_name("fault-join-parent");
  Cleanup cleanup{name};
  auto victim = shmtest::ChildProcess::spawn(shmipc_cmd("parent", name, {}, "join"));
  REQUIRE(victim.wait_for(20s) == std::optional<int>(kKilled));
  CHECK(shmtest::segment_exists(name));
  const auto started = Clock::now();
  ChildVictim v(name);  // this process is the next parent
  report_detection("next parent reclaims the dead creator's block", started, Clock::now());
  CHECK(v.me->reclaimed());
  new_child_exchanges(name, *v.parent, v.log);
  const auto s = snapshot_of(name);
  CHECK(journaled(s, JournalKind::SessionReclaimed, static_cast<std::uint64_t>(victim.pid())));
  check_nothing_left_wrong(s);
}

TEST_CASE("a child killed while leaving: the parent goes on and the next child takes the slot") {
  shmtest::Watchdog watchdog(90s, "fault leave");
  const std::string name = shmtest::unique_session_name("fault-leave");
  Cleanup cleanup{name};
  ChildVictim v(name);
  auto victim = v.spawn("leave", "last-words");
  v.dies(victim);
  CHECK(v.log.got("last-words"));
  CHECK(says(victim, "received by the parent"));
  const auto half = snapshot_of(name);
  CHECK(journaled(half, JournalKind::Leave, std::nullopt, static_cast<std::uint32_t>(victim.pid())));
  CHECK_FALSE(half.participants[shmipc::kChildSlot].alive);
  new_child_exchanges(name, *v.parent, v.log);
  const auto s = snapshot_of(name);
  CHECK(journaled(s, JournalKind::PeerDied, static_cast<std::uint64_t>(victim.pid())));
  check_nothing_left_wrong(s);
}
