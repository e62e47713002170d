// Adaptive waiting: before a waiter blocks in futex_wait (or on the mutex), it may poll for a
// short, bounded time, but only while spinning can pay: its partner is running on another
// CPU, so the answer can come before a sleep and a wake-up would. A cross-CPU futex wake-up
// costs ~20 µs on a small VM; a hand-off between two running CPUs costs ~1 µs. When both share
// a CPU, the spinner would only burn the time slice its partner needs, so it never spins then;
// nor when the partner is itself blocked (nobody is about to answer). docs/PROTOCOL.md,
// "Adaptive waiting", is the contract; the partner's state is published in its ParticipantSlot
// (cpu, run_state).
#pragma once

#include <atomic>
#include <cstdint>

#include "shmipc/block.hpp"
#include "shmipc/clock.hpp"

namespace shmipc {

enum class SpinMode : std::uint32_t {
  Adaptive = 0,  // spin only while the partner runs on another CPU (the default)
  Off = 1,       // block at once, always
  Always = 2,    // spin the full budget whatever the partner does (tests, experiments)
};

inline constexpr std::uint32_t kDefaultSpinBudgetNs = 20'000;
inline constexpr std::uint32_t kMaxSpinBudgetNs = 100'000;  // "tens of µs at most"

struct SpinPolicy {
  SpinMode mode = SpinMode::Adaptive;
  std::uint32_t budget_ns = kDefaultSpinBudgetNs;  // per wait, clamped to kMaxSpinBudgetNs
};

// Process-wide. Until set_spin_policy is called, taken from the environment on first use:
// SHMIPC_SPIN=adaptive|off|always and SHMIPC_SPIN_US=N (unknown words keep the default).
SpinPolicy spin_policy() noexcept;
void set_spin_policy(SpinPolicy policy) noexcept;

// sched_getcpu(), or kUnknownCpu.
std::uint32_t current_cpu() noexcept;

// A partner's two published words (ParticipantSlot::cpu and ::run_state, or the same pair in
// any shared mapping, as the bench's raw futex rows use). Null: no partner known.
struct PartnerWords {
  const std::atomic<std::uint32_t>* cpu = nullptr;
  const std::atomic<std::uint32_t>* run_state = nullptr;
};

// Adaptive: the partner is known, running or spinning, on a known CPU other than `my_cpu`.
bool worth_spinning(const PartnerWords& partner, std::uint32_t my_cpu, SpinMode mode) noexcept;

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

// Polls `ready()` with a pause between polls until it returns true (true), or the budget or
// `deadline_ns` (CLOCK_MONOTONIC, 0 none) runs out, or, when adaptive, the partner stops
// running or this thread lands on the partner's CPU (false). The caller has already checked
// worth_spinning once; the clock and the partner are looked at every few polls only.
template <typename Ready>
bool spin_until(Ready&& ready, const PartnerWords& partner, const SpinPolicy& policy,
                std::uint64_t deadline_ns) {
  const std::uint64_t start = monotonic_ns();
  std::uint64_t end = start + policy.budget_ns;
  if (deadline_ns != 0 && deadline_ns < end) end = deadline_ns;
  for (unsigned polls = 1;; ++polls) {
    if (ready()) return true;
    cpu_relax();
    if ((polls & 7u) != 0) continue;
    if (monotonic_ns() >= end) return ready();
    if (policy.mode == SpinMode::Adaptive && !worth_spinning(partner, current_cpu(), policy.mode))
      return ready();
  }
}

// The absolute deadline in CLOCK_MONOTONIC ns (steady_clock is CLOCK_MONOTONIC on Linux);
// 0 when there is none.
std::uint64_t deadline_ns(const Deadline& deadline) noexcept;

}  // namespace shmipc
