#include "shmipc/adaptive_spin.hpp"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace shmipc {

namespace {

SpinPolicy from_environment() noexcept {
  SpinPolicy p;
  if (const char* mode = std::getenv("SHMIPC_SPIN")) {
    const std::string_view m(mode);
    if (m == "off") p.mode = SpinMode::Off;
    if (m == "always" || m == "on") p.mode = SpinMode::Always;
    if (m == "adaptive") p.mode = SpinMode::Adaptive;
  }
  if (const char* us = std::getenv("SHMIPC_SPIN_US")) {
    std::uint32_t v = 0;
    const char* end = us + std::strlen(us);
    if (auto r = std::from_chars(us, end, v); r.ec == std::errc() && r.ptr == end)
      p.budget_ns = std::min<std::uint64_t>(std::uint64_t{v} * 1000, kMaxSpinBudgetNs);
  }
  return p;
}

// Packed into one word so that a reader never sees the mode of one policy with the budget of
// another. Bit 63: set at all (0 = not yet read from the environment).
std::atomic<std::uint64_t> g_policy{0};
constexpr std::uint64_t kPolicySet = 1ull << 63;

std::uint64_t pack(SpinPolicy p) noexcept {
  return kPolicySet | (std::uint64_t{static_cast<std::uint32_t>(p.mode)} << 32) | p.budget_ns;
}

}  // namespace

SpinPolicy spin_policy() noexcept {
  std::uint64_t word = g_policy.load(std::memory_order_relaxed);
  if (word == 0) {
    word = pack(from_environment());
    std::uint64_t expected = 0;
    // Whoever stored first wins (set_spin_policy or another thread's environment read).
    if (!g_policy.compare_exchange_strong(expected, word, std::memory_order_relaxed))
      word = expected;
  }
  SpinPolicy p;
  p.mode = static_cast<SpinMode>((word >> 32) & 0x3);
  p.budget_ns = static_cast<std::uint32_t>(word);
  return p;
}

void set_spin_policy(SpinPolicy policy) noexcept {
  if (policy.mode != SpinMode::Off && policy.mode != SpinMode::Always)
    policy.mode = SpinMode::Adaptive;
  policy.budget_ns = std::min(policy.budget_ns, kMaxSpinBudgetNs);
  g_policy.store(pack(policy), std::memory_order_relaxed);
}

std::uint32_t current_cpu() noexcept {
  // glibc 2.35+ reads it from the rseq area: a couple of nanoseconds, no system call.
  const int cpu = ::sched_getcpu();
  return cpu < 0 ? kUnknownCpu : static_cast<std::uint32_t>(cpu);
}

bool worth_spinning(const PartnerWords& partner, std::uint32_t my_cpu, SpinMode mode) noexcept {
  if (mode == SpinMode::Always) return true;
  if (mode == SpinMode::Off || partner.cpu == nullptr || partner.run_state == nullptr) return false;
  // Copied once each: the partner changes them while we look.
  const std::uint32_t state = partner.run_state->load(std::memory_order_relaxed);
  const std::uint32_t cpu = partner.cpu->load(std::memory_order_relaxed);
  if (state == static_cast<std::uint32_t>(RunState::Blocked)) return false;
  if (state > static_cast<std::uint32_t>(RunState::Blocked)) return false;  // garbage: do not trust
  return cpu != kUnknownCpu && my_cpu != kUnknownCpu && cpu != my_cpu;
}

std::uint64_t deadline_ns(const Deadline& deadline) noexcept {
  if (!deadline) return 0;
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      deadline->time_since_epoch())
                      .count();
  return ns <= 0 ? 1 : static_cast<std::uint64_t>(ns);
}

}  // namespace shmipc
