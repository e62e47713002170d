// The step gate (docs/PROTOCOL.md, "Step mode"): parked actions wait for a grant.
#include <doctest/doctest.h>

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>

#include "anonymous_block.hpp"
#include "shmipc/auto_reset_event.hpp"
#include "shmipc/journal.hpp"
#include "test_process.hpp"

using namespace shmipc;
using namespace std::chrono_literals;

namespace {
// What a driver does (docs/PROTOCOL.md): one more grant, then wake the parked peer.
void grant(ParticipantSlot& slot) {
  slot.step_grants.fetch_add(1);
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&slot.step_grants), FUTEX_WAKE, 1, nullptr,
            nullptr, 0);
}
}  // namespace

TEST_CASE("with step mode off the gate lets every action through at once") {
  shmtest::AnonymousBlock block;
  Actor who = block.actor(Role::Child, static_cast<int>(kChildSlot));
  CHECK(who.gate(JournalKind::EventSet, 1, deadline_after(0ms)));
  CHECK(journal_read(*block, 0).items.empty());
}

TEST_CASE("in step mode an action waits in its participant slot until it is granted") {
  shmtest::Watchdog watchdog(60s, "step gate");
  shmtest::AnonymousBlock block;
  block->control.step_mode.store(1);
  ParticipantSlot& slot = block->participants[kChildSlot];
  auto child = shmtest::ChildProcess::fork([&block] {
    Actor me = block.actor(Role::Child, static_cast<int>(kChildSlot));
    Events(me).set(EventId::SendMessage);  // gated on EventSet
    return 0;
  });
  REQUIRE(shmtest::eventually(
      [&] { return slot.step_pending.load() == static_cast<std::uint32_t>(JournalKind::EventSet); },
      10s));
  CHECK(slot.step_pending_arg.load() == static_cast<std::uint32_t>(EventId::SendMessage));
  CHECK(slot.activity.load() == static_cast<std::uint32_t>(Activity::WaitingStep));
  CHECK(block->events[1].signalled.load() == 0);  // not performed before the grant
  CHECK(child.running());

  grant(slot);
  REQUIRE(child.wait_for(20s) == 0);
  CHECK(block->events[1].signalled.load() == 1);
  CHECK(slot.step_pending.load() == 0);
  CHECK(slot.step_taken.load() == 1);

  std::vector<std::uint16_t> kinds;
  for (const JournalItem& item : journal_read(*block, 0).items) kinds.push_back(item.record.kind);
  REQUIRE(kinds.size() == 3);
  CHECK(kinds[0] == static_cast<std::uint16_t>(JournalKind::StepPending));
  CHECK(kinds[1] == static_cast<std::uint16_t>(JournalKind::StepGranted));
  CHECK(kinds[2] == static_cast<std::uint16_t>(JournalKind::EventSet));
}

TEST_CASE("turning step mode off releases a parked action") {
  shmtest::Watchdog watchdog(60s, "step mode off");
  shmtest::AnonymousBlock block;
  block->control.step_mode.store(1);
  ParticipantSlot& slot = block->participants[kParentSlot];
  auto child = shmtest::ChildProcess::fork([&block] {
    Actor me = block.actor(Role::Parent, static_cast<int>(kParentSlot));
    return me.gate(JournalKind::LockRequested, 0, deadline_after(30s)) ? 0 : 1;
  });
  REQUIRE(shmtest::eventually([&] { return slot.step_pending.load() != 0; }, 10s));
  // What a driver does to switch off: step_mode = 0 first, then bump every slot.
  block->control.step_mode.store(0);
  grant(slot);
  CHECK(child.wait_for(20s) == 0);
  CHECK(slot.step_pending.load() == 0);
}

TEST_CASE("a gated action gives up at its deadline without a grant") {
  shmtest::AnonymousBlock block;
  block->control.step_mode.store(1);
  Actor who = block.actor(Role::Parent, static_cast<int>(kParentSlot));
  auto deadline = deadline_after(50ms);
  CHECK_FALSE(who.gate(JournalKind::LockRequested, 0, deadline));
  CHECK(std::chrono::steady_clock::now() >= *deadline);
  CHECK(block->participants[kParentSlot].step_pending.load() == 0);
  CHECK(block->participants[kParentSlot].step_taken.load() == 0);

  // A grant that arrives when nobody is parked (here: after the gate gave up) is not for
  // the next action, which parks again.
  block->participants[kParentSlot].step_grants.fetch_add(1);
  CHECK_FALSE(who.gate(JournalKind::LockRequested, 0, deadline_after(20ms)));

  // An actor with no participant slot cannot be granted anything: it is never parked.
  Actor slotless = block.actor(Role::Tool);
  CHECK(slotless.gate(JournalKind::EventSet, 0, deadline_after(0ms)));
}
