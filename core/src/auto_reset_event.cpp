#include "shmipc/auto_reset_event.hpp"

#include <atomic>
#include <string>

#include "futex.hpp"
#include "shmipc/adaptive_spin.hpp"
#include "journal_claim.hpp"
#include "shmipc/error.hpp"
#include "shmipc/fault_injection.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/process_identity.hpp"
#include "stale_waiters.hpp"

namespace shmipc {

namespace {

std::uint32_t checked_bit(EventId e) {
  auto index = static_cast<std::uint32_t>(e);
  if (index >= kEventCount) {
    throw Error(ErrorCode::Usage, "event id " + std::to_string(index) + " is not one of the " +
                                      std::to_string(kEventCount) + " session events");
  }
  return event_bit(e);
}

std::uint64_t elapsed_since(std::uint64_t start) noexcept {
  std::uint64_t now = monotonic_ns();
  return now > start ? now - start : 0;
}

bool deadline_passed(const Deadline& deadline) noexcept {
  return deadline && std::chrono::steady_clock::now() >= *deadline;
}

// The waiter's pid and start time for its slot, without current_process()'s getpid: a system
// call per blocking wait is a tenth of a same-CPU hand-off on a VM. The actor's pid is what
// every record of this actor carries anyway; its start time is read once per pid.
ProcessIdentity identity_of(std::uint32_t pid) noexcept {
  static std::atomic<std::uint32_t> cached_pid{0};
  static std::atomic<std::uint64_t> cached_start{0};
  if (pid != 0 && cached_pid.load(std::memory_order_acquire) == pid)
    return {pid, cached_start.load(std::memory_order_relaxed)};
  ProcessIdentity self = current_process();
  if (pid != self.pid) return self;  // an actor built for another pid: trust the kernel
  cached_start.store(self.start_time, std::memory_order_relaxed);
  cached_pid.store(pid, std::memory_order_release);
  return self;
}

// One waiter slot held by this thread for the duration of a wait.
//
// A slot is claimed by one compare-exchange of owner_tid from 0 to the claimer's tid, then its
// owner fields are filled in (pid, start time, role) and its mask published last. Its owner is
// therefore always known, even when the claimer is killed half-way: a slot whose tid names no
// live thread is dead, whatever state its other fields are in, and can be taken over (before,
// a claimer killed between claiming and filling in left a marker nobody could judge, and the
// slot was lost until the block was rebuilt). Releasing clears the fields before the tid, so a
// slot with a live tid never shows a previous owner's pid as its own for long.
class ClaimedSlot {
 public:
  ClaimedSlot(const Actor& who, std::uint32_t mask) {
    Block& block = *who.block;
    ProcessIdentity self = identity_of(who.pid);
    const std::uint32_t tid = current_tid();
    slot_ = claim_free(block, tid);
    if (slot_ == nullptr) slot_ = take_over_dead(block, tid);
    if (slot_ == nullptr) {
      throw Error(ErrorCode::System, "all " + std::to_string(kWaiterSlots) +
                                         " event waiter slots are held by live waiters");
    }
    fault::at(fault::Point::SlotClaim);
    slot_->owner_pid.store(self.pid, std::memory_order_relaxed);
    slot_->owner_start_time.store(self.start_time, std::memory_order_relaxed);
    slot_->owner_role.store(static_cast<std::uint32_t>(who.role), std::memory_order_relaxed);
    slot_->since_ns.store(monotonic_ns(), std::memory_order_relaxed);
    // Published before the first consume attempt; a setter stores `signalled` before it
    // reads masks. With both seq_cst, either the setter sees this mask or we see its set.
    slot_->wait_mask.store(mask, std::memory_order_seq_cst);
  }
  ~ClaimedSlot() { detail::release_waiter_slot(*slot_); }
  ClaimedSlot(const ClaimedSlot&) = delete;
  ClaimedSlot& operator=(const ClaimedSlot&) = delete;

  std::atomic<std::uint32_t>& wake_seq() { return slot_->wake_seq; }

 private:
  static WaiterSlot* claim_free(Block& block, std::uint32_t tid) {
    for (WaiterSlot& slot : block.waiters) {
      std::uint32_t expected = 0;
      // A free slot's owner fields were cleared by whoever freed it.
      if (slot.owner_tid.compare_exchange_strong(expected, tid, std::memory_order_acq_rel))
        return &slot;
    }
    return nullptr;
  }

  // A waiter killed in its wait (or in its claim) never releases its slot. Only when every
  // slot is taken do we look for one whose thread is gone.
  static WaiterSlot* take_over_dead(Block& block, std::uint32_t tid) {
    for (WaiterSlot& slot : block.waiters) {
      std::uint32_t dead = slot.owner_tid.load(std::memory_order_acquire);
      if (dead == 0 || detail::waiter_thread_alive(dead)) continue;
      // Fails if the slot changed hands since we read its tid.
      if (slot.owner_tid.compare_exchange_strong(dead, tid, std::memory_order_acq_rel)) {
        slot.wait_mask.store(0, std::memory_order_seq_cst);
        clear_owner_fields(slot);
        return &slot;
      }
    }
    return nullptr;
  }

  static void clear_owner_fields(WaiterSlot& slot) {
    slot.owner_pid.store(0, std::memory_order_relaxed);
    slot.owner_start_time.store(0, std::memory_order_relaxed);
    slot.owner_role.store(0, std::memory_order_relaxed);
  }

  WaiterSlot* slot_ = nullptr;
};

// A waiter we are about to wake will be running in a moment: say so in its participant slot,
// so that we (its partner) may spin for its answer instead of sleeping at once. Without this
// a ping-pong would never spin: whoever sets an event always finds its partner still asleep.
void mark_waking(Block& block, const WaiterSlot& slot) noexcept {
  const std::uint32_t role = slot.owner_role.load(std::memory_order_relaxed);
  std::size_t index = 0;
  if (role == static_cast<std::uint32_t>(Role::Parent)) {
    index = kParentSlot;
  } else if (role == static_cast<std::uint32_t>(Role::Child)) {
    index = kChildSlot;
  } else {
    return;
  }
  ParticipantSlot& p = block.participants[index];
  if (p.pid.load(std::memory_order_relaxed) != slot.owner_pid.load(std::memory_order_relaxed))
    return;
  std::uint32_t blocked = static_cast<std::uint32_t>(RunState::Blocked);
  p.run_state.compare_exchange_strong(blocked, static_cast<std::uint32_t>(RunState::Running),
                                      std::memory_order_relaxed);
}

// This actor's run state for the length of a blocking wait; running again (on whatever CPU
// it woke on) when the wait ends, however it ends.
class BlockedWhileAlive {
 public:
  explicit BlockedWhileAlive(const Actor& who) : who_(who) { who_.set_run_state(RunState::Blocked); }
  ~BlockedWhileAlive() { who_.set_run_state(RunState::Running, current_cpu()); }
  BlockedWhileAlive(const BlockedWhileAlive&) = delete;
  BlockedWhileAlive& operator=(const BlockedWhileAlive&) = delete;

 private:
  const Actor& who_;
};

}  // namespace

void Events::initialize(Block& block) {
  for (EventState& e : block.events) {
    e.signalled.store(0, std::memory_order_relaxed);
    e.last_setter_pid.store(0, std::memory_order_relaxed);
    e.times_set.store(0, std::memory_order_relaxed);
    e.times_consumed.store(0, std::memory_order_relaxed);
    e.last_set_ns.store(0, std::memory_order_relaxed);
    e.last_setter_role.store(0, std::memory_order_relaxed);
    e.last_consumer_pid.store(0, std::memory_order_relaxed);
    e.last_consumed_ns.store(0, std::memory_order_relaxed);
  }
  for (WaiterSlot& w : block.waiters) {
    w.owner_tid.store(0, std::memory_order_relaxed);
    w.owner_pid.store(0, std::memory_order_relaxed);
    w.wait_mask.store(0, std::memory_order_relaxed);
    w.wake_seq.store(0, std::memory_order_relaxed);
    w.since_ns.store(0, std::memory_order_relaxed);
    w.owner_start_time.store(0, std::memory_order_relaxed);
    w.owner_role.store(0, std::memory_order_relaxed);
  }
  std::atomic_thread_fence(std::memory_order_release);
}

bool Events::set(EventId e) {
  std::uint32_t bit = checked_bit(e);
  if (who_.block == nullptr) throw Error(ErrorCode::System, "Events used without a block");
  who_.gate(JournalKind::EventSet, static_cast<std::uint32_t>(e));
  Block& block = *who_.block;
  EventState& state = block.events[static_cast<std::uint32_t>(e)];

  state.last_setter_pid.store(who_.pid, std::memory_order_relaxed);
  state.last_setter_role.store(static_cast<std::uint32_t>(who_.role), std::memory_order_relaxed);
  const std::uint64_t now = monotonic_ns();  // the one clock read of this step
  state.last_set_ns.store(now, std::memory_order_relaxed);
  state.times_set.fetch_add(1, std::memory_order_relaxed);
  // The record's place is taken before the signal is visible, so the consumer's
  // EventConsumed always comes after this EventSet in the journal.
  JournalClaim record = journal_claim(who_, now);
  bool coalesced = state.signalled.exchange(1, std::memory_order_seq_cst) == 1;
  journal_write(who_, record, JournalKind::EventSet, static_cast<std::uint32_t>(e),
                coalesced ? 1 : 0);

  // Every slot waiting for this event is woken; they race for the one signal and the losers
  // sleep again, so exactly one is released. A dead waiter's slot costs one futex_wake that
  // nobody receives: never a hang.
  for (WaiterSlot& slot : block.waiters) {
    if ((slot.wait_mask.load(std::memory_order_seq_cst) & bit) == 0) continue;
    slot.wake_seq.fetch_add(1, std::memory_order_seq_cst);
    mark_waking(block, slot);
    futex_wake(slot.wake_seq, 1);
  }
  return coalesced;
}

namespace {

bool consume(const Actor& who, EventId e, std::uint64_t wait_started_ns) {
  EventState& state = who.block->events[static_cast<std::uint32_t>(e)];
  if (state.signalled.load(std::memory_order_seq_cst) == 0) return false;
  // Waking up is a step of its own in step mode: the class sees the signal sit there, set
  // but not yet taken, until the wake-up is granted. (If another waiter takes it meanwhile,
  // the exchange below fails and this one waits again, as any loser of the race does.)
  who.gate(JournalKind::EventConsumed, static_cast<std::uint32_t>(e));
  std::uint32_t expected = 1;
  if (!state.signalled.compare_exchange_strong(expected, 0, std::memory_order_seq_cst)) {
    return false;
  }
  const std::uint64_t now = monotonic_ns();  // the one clock read of this step
  state.times_consumed.fetch_add(1, std::memory_order_relaxed);
  state.last_consumer_pid.store(who.pid, std::memory_order_relaxed);
  state.last_consumed_ns.store(now, std::memory_order_relaxed);
  journal_append_at(who, now, JournalKind::EventConsumed, static_cast<std::uint32_t>(e),
                    wait_started_ns != 0 && now > wait_started_ns ? now - wait_started_ns : 0);
  return true;
}

}  // namespace

bool Events::try_consume(EventId e) {
  checked_bit(e);
  if (who_.block == nullptr) throw Error(ErrorCode::System, "Events used without a block");
  return consume(who_, e, 0);
}

bool Events::wait(EventId e, Deadline deadline, TimeoutRecord record) {
  const EventId one[] = {e};
  return wait_any(one, deadline, record).has_value();
}

std::optional<EventId> Events::wait_any(std::span<const EventId> any, Deadline deadline,
                                        TimeoutRecord record) {
  if (any.empty()) throw Error(ErrorCode::Usage, "wait_any needs at least one event");
  std::uint32_t mask = 0;
  for (EventId e : any) mask |= checked_bit(e);
  if (who_.block == nullptr) throw Error(ErrorCode::System, "Events used without a block");

  // Already signalled: no slot, no sleep, no clock read (the wait took no time).
  std::uint64_t started = 0;
  auto try_all = [&]() -> std::optional<EventId> {
    for (EventId e : any) {
      if (consume(who_, e, started)) return e;
    }
    return std::nullopt;
  };
  if (auto got = try_all()) return got;
  started = monotonic_ns();

  struct IdleOnExit {
    const Actor& who;
    ~IdleOnExit() { who.set_activity(Activity::Idle); }
  } idle{who_};

  // Spin first, without a waiter slot: a setter then finds nobody to futex_wake, and we see
  // its signal within a pause. Only consume() changes anything, as in the blocking loop.
  const SpinPolicy policy = spin_policy();
  const PartnerWords partner = who_.partner();
  const std::uint32_t my_cpu = current_cpu();
  if (policy.budget_ns > 0 && worth_spinning(partner, my_cpu, policy.mode)) {
    who_.set_activity(Activity::SpinningEvent);
    who_.set_run_state(RunState::Spinning, my_cpu);
    std::optional<EventId> got;
    auto signalled = [&] {
      for (EventId e : any) {
        if (who_.block->events[static_cast<std::uint32_t>(e)].signalled.load(
                std::memory_order_relaxed) != 0 &&
            (got = try_all()))
          return true;
      }
      return false;
    };
    spin_until(signalled, partner, policy, deadline_ns(deadline));
    if (got) {
      who_.set_run_state(RunState::Running, current_cpu());
      return got;
    }
  }

  who_.set_activity(Activity::WaitingEvent);
  ClaimedSlot slot(who_, mask);
  BlockedWhileAlive blocked(who_);
  if (fault::armed(fault::Point::ReceiptWait) && mask == event_bit(EventId::ReceiveMessage))
    fault::detail::reached(fault::Point::ReceiptWait);
  for (;;) {
    std::uint32_t seen = slot.wake_seq().load(std::memory_order_seq_cst);
    if (auto got = try_all()) return got;
    if (deadline_passed(deadline)) break;
    // Returns on a wake, a changed wake_seq, EINTR or spuriously: all lead back to trying.
    futex_wait(slot.wake_seq(), seen, deadline);
  }
  if (record == TimeoutRecord::Journal) {
    journal_append(who_, JournalKind::EventTimeout, mask, elapsed_since(started));
  }
  return std::nullopt;
}

}  // namespace shmipc
