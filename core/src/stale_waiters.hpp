// Counts and slots left behind by a process that died (or left on a signal) while it waited:
// how they are judged, released and discounted. See docs/RELIABILITY.md, "Stale waiters".
#pragma once

#include <atomic>
#include <cstdint>

#include "shmipc/block.hpp"

namespace shmipc::detail {

// A waiter slot belongs to the thread its owner_tid names (docs/PROTOCOL.md, "Events"); it is
// dead when no such thread runs any more (gone, or a zombie's).
bool waiter_thread_alive(std::uint32_t tid) noexcept;

// Gives a slot back: owner fields first, the tid last (release), so a slot whose tid is set
// never shows a previous owner's pid as its own for long.
void release_waiter_slot(WaiterSlot& slot) noexcept;

// Frees every waiter slot whose owner thread is gone; returns how many. A joiner calls it:
// slots of a dead waiter cost every setter a futex_wake and would be shown as waiters.
std::uint32_t release_dead_waiter_slots(Block& block) noexcept;

// A participant that was inside RobustMutex::lock (activity WaitingMutex/SpinningMutex) when
// it died or left counted itself in MutexArea::waiters; this takes it back out.
bool in_mutex_wait(std::uint32_t activity) noexcept;
void discount_mutex_waiter(MutexArea& area) noexcept;

// Never below zero: a discount for a dead waiter and a live waiter's own decrement may meet.
inline void decrement_saturating(std::atomic<std::uint32_t>& count) noexcept {
  std::uint32_t v = count.load(std::memory_order_relaxed);
  while (v > 0 && !count.compare_exchange_weak(v, v - 1, std::memory_order_relaxed)) {
  }
}

}  // namespace shmipc::detail
