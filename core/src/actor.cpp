#include "shmipc/actor.hpp"

#include <atomic>

#include "futex.hpp"
#include "shmipc/fault_injection.hpp"
#include "shmipc/journal.hpp"

namespace shmipc {

namespace {
ParticipantSlot* participant(const Actor& who) noexcept {
  if (who.block == nullptr || who.slot < 0 ||
      static_cast<std::size_t>(who.slot) >= kParticipantSlots) {
    return nullptr;
  }
  return &who.block->participants[who.slot];
}
}  // namespace

bool Actor::gate(JournalKind kind, std::uint32_t arg, Deadline deadline) const {
  if (block == nullptr) return true;
  // The fast path every protocol action pays when nobody steps: one relaxed load.
  if (block->control.step_mode.load(std::memory_order_relaxed) == 0) return true;
  ParticipantSlot* slot_state = participant(*this);
  // Without a participant slot nobody can address a grant to us: do not park.
  if (slot_state == nullptr) return true;

  auto previous = slot_state->activity.load(std::memory_order_relaxed);
  // A driver grants only an action it has seen published, so a grant left over from before
  // (one that arrived after an earlier gate gave up, or a step-mode-off bump while we were
  // not parked) is not for this action: without this, re-enabling step mode would let one
  // action per peer slip through unseen.
  slot_state->step_taken.store(slot_state->step_grants.load(std::memory_order_acquire),
                               std::memory_order_relaxed);
  slot_state->step_pending_arg.store(arg, std::memory_order_relaxed);
  slot_state->step_pending.store(static_cast<std::uint32_t>(kind), std::memory_order_seq_cst);
  slot_state->activity.store(static_cast<std::uint32_t>(Activity::WaitingStep),
                             std::memory_order_relaxed);
  journal_append(*this, JournalKind::StepPending, static_cast<std::uint32_t>(kind), arg);

  bool granted = false;
  for (;;) {
    std::uint32_t grants = slot_state->step_grants.load(std::memory_order_seq_cst);
    std::uint32_t taken = slot_state->step_taken.load(std::memory_order_relaxed);
    if (grants != taken) {
      slot_state->step_taken.fetch_add(1, std::memory_order_acq_rel);
      granted = true;
      break;
    }
    // Step mode switched off (the driver stores step_mode = 0 before it bumps grants; if
    // our resync above swallowed that bump, this load sees the 0).
    if (block->control.step_mode.load(std::memory_order_seq_cst) == 0) {
      granted = true;
      break;
    }
    // A person grants steps: never worth spinning for, but a partner must see us blocked.
    set_run_state(RunState::Blocked);
    fault::at(fault::Point::StepGate);
    const bool woke = futex_wait(slot_state->step_grants, grants, deadline);
    set_run_state(RunState::Running, current_cpu());
    if (!woke) {
      // One last look: a grant may have landed right at the deadline.
      if (slot_state->step_grants.load(std::memory_order_acquire) != taken) continue;
      break;
    }
  }

  slot_state->step_pending.store(0, std::memory_order_release);
  slot_state->step_pending_arg.store(0, std::memory_order_relaxed);
  slot_state->activity.store(previous, std::memory_order_relaxed);
  if (granted)
    journal_append(*this, JournalKind::StepGranted, static_cast<std::uint32_t>(kind), arg);
  return granted;
}

void Actor::set_run_state(RunState s, std::uint32_t cpu) const noexcept {
  if (ParticipantSlot* slot_state = participant(*this)) {
    if (cpu != kUnknownCpu) slot_state->cpu.store(cpu, std::memory_order_relaxed);
    slot_state->run_state.store(static_cast<std::uint32_t>(s), std::memory_order_release);
  }
}

namespace {
PartnerWords words_of(const ParticipantSlot& p) noexcept {
  return PartnerWords{&p.cpu, &p.run_state};
}
}  // namespace

PartnerWords Actor::partner() const noexcept {
  if (block == nullptr) return {};
  std::size_t other = 0;
  if (role == Role::Parent) {
    other = kChildSlot;
  } else if (role == Role::Child) {
    other = kParentSlot;
  } else {
    return {};
  }
  const ParticipantSlot& p = block->participants[other];
  if (p.role.load(std::memory_order_relaxed) == static_cast<std::uint32_t>(Role::None)) return {};
  return words_of(p);
}

PartnerWords Actor::participant_words(std::uint32_t pid) const noexcept {
  if (block == nullptr || pid == 0) return {};
  for (const ParticipantSlot& p : block->participants) {
    if (p.pid.load(std::memory_order_relaxed) == pid &&
        p.role.load(std::memory_order_relaxed) != static_cast<std::uint32_t>(Role::None))
      return words_of(p);
  }
  return {};
}

void Actor::set_activity(Activity a) const noexcept {
  if (ParticipantSlot* slot_state = participant(*this)) {
    slot_state->activity.store(static_cast<std::uint32_t>(a), std::memory_order_relaxed);
  }
}

}  // namespace shmipc
