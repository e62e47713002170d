#include "stale_waiters.hpp"

#include "shmipc/process_identity.hpp"

namespace shmipc::detail {

bool waiter_thread_alive(std::uint32_t tid) noexcept {
  // /proc/<tid>/stat answers for any thread of any process, not only for the thread groups
  // that /proc lists.
  const auto state = process_state(tid);
  return state && *state != 'Z' && *state != 'X' && *state != 'x';
}

void release_waiter_slot(WaiterSlot& slot) noexcept {
  slot.wait_mask.store(0, std::memory_order_seq_cst);
  slot.since_ns.store(0, std::memory_order_relaxed);
  slot.owner_role.store(0, std::memory_order_relaxed);
  slot.owner_start_time.store(0, std::memory_order_relaxed);
  slot.owner_pid.store(0, std::memory_order_relaxed);
  slot.owner_tid.store(0, std::memory_order_release);
}

std::uint32_t release_dead_waiter_slots(Block& block) noexcept {
  const std::uint32_t me = current_tid();
  std::uint32_t released = 0;
  for (WaiterSlot& slot : block.waiters) {
    std::uint32_t dead = slot.owner_tid.load(std::memory_order_acquire);
    if (dead == 0 || dead == me || waiter_thread_alive(dead)) continue;
    // Taken over first (as a claimer would), so that a claimer racing with us for the same
    // dead slot cannot have its fresh owner fields wiped; if we die here, the slot names our
    // dead tid and is judged again.
    if (!slot.owner_tid.compare_exchange_strong(dead, me, std::memory_order_acq_rel)) continue;
    release_waiter_slot(slot);
    ++released;
  }
  return released;
}

bool in_mutex_wait(std::uint32_t activity) noexcept {
  return activity == static_cast<std::uint32_t>(Activity::WaitingMutex) ||
         activity == static_cast<std::uint32_t>(Activity::SpinningMutex);
}

void discount_mutex_waiter(MutexArea& area) noexcept {
  decrement_saturating(area.waiters);
}

}  // namespace shmipc::detail
