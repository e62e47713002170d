// Fault injection (docs/RELIABILITY.md, "Fault injection"): a peer can be made to die (or stop)
// at a chosen protocol step, so that tests can show what its survivors do. Compiled into every
// build and off by default: SHMIPC_FAULT=POINT[:N][:stop] is read once when the program starts,
// and each point then costs one load and one predictable branch.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace shmipc::fault {

enum class Point : std::uint32_t {
  None = 0,
  AfterLock,     // "after-lock": the mutex just taken, the owner record written
  MidWrite,      // "mid-write": half of a message's data copied into the block
  BeforeUnlock,  // "before-unlock": about to clear the owner record and unlock
  AfterUnlock,   // "after-unlock": unlocked, the event that announces the change not yet set
  ReceiptWait,   // "receipt-wait": waiting for ReceiveMessage on a claimed waiter slot
  StepGate,      // "step-gate": parked at a step gate (step mode on)
  SlotClaim,     // "slot-claim": a waiter slot claimed, its owner fields not yet written
  Join,          // "join": the role and participant slot taken, the join not yet journaled
  Leave,         // "leave": Leave journaled, the participant slot and role not yet given up
};
inline constexpr std::uint32_t kPointCount = 10;

enum class Action : std::uint32_t { Kill = 0, Stop = 1 };

struct Plan {
  Point point = Point::None;
  std::uint32_t nth = 1;  // fires on the nth time the point is reached (1 = the first)
  Action action = Action::Kill;
};

// "after-lock" -> Point::AfterLock; nullopt for an unknown name.
std::optional<Point> point_named(std::string_view name) noexcept;
std::string_view point_name(Point p) noexcept;
// Parses SHMIPC_FAULT's value; nullopt (the variable is then ignored, with a warning) if bad.
std::optional<Plan> parse_plan(std::string_view text) noexcept;

namespace detail {
// Set once, before main(), from SHMIPC_FAULT; Point::None when unset.
extern Point g_armed;
void reached(Point p) noexcept;
}  // namespace detail

// The injection point itself: nothing happens unless SHMIPC_FAULT names `p`.
inline void at(Point p) noexcept {
  if (__builtin_expect(detail::g_armed == p, 0)) detail::reached(p);
}
inline bool armed(Point p) noexcept {
  return __builtin_expect(detail::g_armed == p, 0);
}

}  // namespace shmipc::fault
