#include "shmipc/step_controller.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "futex.hpp"
#include "shmipc/process_identity.hpp"

namespace shmipc {

StepController::StepController(Session& tool) : session_(&tool), block_(tool.block()) {}
StepController::StepController(Block& block) : block_(block) {}

void StepController::enable() {
  block_.control.step_mode.store(1, std::memory_order_seq_cst);
  block_.control.control_seq.fetch_add(1, std::memory_order_seq_cst);
  futex_wake(block_.control.control_seq, 1 << 30);
}

void StepController::disable() {
  block_.control.step_mode.store(0, std::memory_order_seq_cst);
  // A slot with no outstanding grant may be parked, or about to park having read step_mode
  // just before we cleared it: one grant each releases both. A slot that already has an
  // unconsumed grant is on its way and needs none.
  for (auto& p : block_.participants) {
    if (p.role.load() == static_cast<std::uint32_t>(Role::None)) continue;
    const std::uint32_t taken = p.step_taken.load();
    if (p.step_grants.load() == taken) {
      p.step_grants.fetch_add(1, std::memory_order_seq_cst);
      futex_wake(p.step_grants, 1 << 30);
    }
  }
  block_.control.control_seq.fetch_add(1, std::memory_order_seq_cst);
  futex_wake(block_.control.control_seq, 1 << 30);
}

bool StepController::enabled() const noexcept {
  return block_.control.step_mode.load() != 0;
}

bool StepController::slot_alive(int slot, const ParticipantSlot& p) const {
  const auto role = static_cast<Role>(p.role.load());
  if (session_ != nullptr && (role == Role::Parent || role == Role::Child) &&
      (slot == static_cast<int>(kParentSlot) || slot == static_cast<int>(kChildSlot))) {
    try {
      return session_->role_alive(role);
    } catch (...) {
      // Fall through to the pid check below.
    }
  }
  return is_alive(ProcessIdentity{p.pid.load(), p.start_time.load()});
}

std::vector<PendingAction> StepController::pending() {
  ++observation_;
  std::vector<PendingAction> out;
  for (int i = 0; i < static_cast<int>(kParticipantSlots); ++i) {
    auto& p = block_.participants[i];
    Seen& seen = seen_[i];
    // Copy every word once: the peer may change them while we look.
    const std::uint32_t role = p.role.load();
    const std::uint32_t pid = p.pid.load();
    const std::uint32_t kind = p.step_pending.load();
    const std::uint32_t arg = p.step_pending_arg.load();
    const std::uint32_t grants = p.step_grants.load();
    const std::uint32_t taken = p.step_taken.load();
    const bool parked = role != 0 && role <= static_cast<std::uint32_t>(Role::Tool) && kind != 0 &&
                        kind <= static_cast<std::uint32_t>(kLastJournalKind) && grants == taken;
    if (!parked) {
      seen.valid = false;
      continue;
    }
    if (!seen.valid || seen.pid != pid || seen.taken != taken || seen.kind != kind) {
      seen = Seen{pid, taken, kind, observation_, monotonic_ns(), true};
    }
    PendingAction a;
    a.slot = i;
    a.role = static_cast<Role>(role);
    a.pid = pid;
    a.kind = static_cast<JournalKind>(kind);
    a.arg = arg;
    a.since = seen.since;
    a.since_ns = seen.since_ns;
    a.alive = slot_alive(i, p);
    out.push_back(a);
  }
  std::sort(out.begin(), out.end(), [](const PendingAction& a, const PendingAction& b) {
    return a.since != b.since ? a.since < b.since : a.slot < b.slot;
  });
  return out;
}

bool StepController::grant(int slot) {
  if (slot < 0 || slot >= static_cast<int>(kParticipantSlots)) return false;
  auto& p = block_.participants[slot];
  const std::uint32_t taken = p.step_taken.load();
  if (p.step_pending.load() == 0 || p.step_grants.load() != taken) return false;
  p.step_grants.fetch_add(1, std::memory_order_seq_cst);
  futex_wake(p.step_grants, 1 << 30);
  seen_[slot].valid = false;
  return true;
}

std::optional<PendingAction> StepController::step() {
  for (const PendingAction& a : pending()) {
    if (!a.alive) continue;  // a dead peer's action will never happen
    if (grant(a.slot)) return a;
  }
  return std::nullopt;
}

bool StepController::wait_for_pending(Deadline deadline) {
  auto pause = std::chrono::microseconds(100);
  for (;;) {
    for (const PendingAction& a : pending()) {
      if (a.alive) return true;
    }
    const auto now = std::chrono::steady_clock::now();
    if (deadline && now >= *deadline) return false;
    auto sleep_for = std::chrono::duration_cast<std::chrono::steady_clock::duration>(pause);
    if (deadline) sleep_for = std::min(sleep_for, *deadline - now);
    std::this_thread::sleep_for(sleep_for);
    pause = std::min(pause * 2, std::chrono::microseconds(2000));
  }
}

std::vector<PendingAction> StepController::run_to_next_event(Deadline deadline) {
  std::vector<PendingAction> granted;
  while (wait_for_pending(deadline)) {
    auto a = step();
    if (!a) continue;
    granted.push_back(*a);
    if (a->kind == JournalKind::EventSet) break;
  }
  return granted;
}

}  // namespace shmipc
