// The driver side of step mode (docs/PROTOCOL.md, "Step mode"): a tool joined to a session
// turns step mode on, sees which peer is parked at its gate with which action, and grants
// actions one at a time. Peers park on their own futex word (step_grants); the driver wakes
// exactly the slot it grants.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "shmipc/block.hpp"
#include "shmipc/clock.hpp"
#include "shmipc/session.hpp"

namespace shmipc {

struct PendingAction {
  int slot = -1;
  Role role = Role::None;
  std::uint32_t pid = 0;
  JournalKind kind = JournalKind::None;
  std::uint32_t arg = 0;
  // Order of arrival as this controller saw it: the number of the pending() call that first
  // found this action parked. Timestamps would make the order depend on scheduling; counting
  // observations makes it depend only on what the driver granted before.
  std::uint64_t since = 0;
  std::uint64_t since_ns = 0;  // monotonic time of that first observation, for display
  bool alive = true;
};

class StepController {
 public:
  // `tool` is the driver's own membership (normally joined with RoleRequest::Tool); its
  // block must outlive the controller.
  explicit StepController(Session& tool);
  // Works on a bare block (tests, or a driver that maps the block itself).
  explicit StepController(Block& block);

  void enable();
  // Turns step mode off and grants every parked slot, so nobody stays parked.
  void disable();
  bool enabled() const noexcept;

  // Actions parked at a gate right now, oldest first (ties by slot).
  std::vector<PendingAction> pending();

  // Lets the peer in `slot` perform its pending action. False if nothing is parked there.
  bool grant(int slot);
  // Grants the action that has waited longest; nullopt if nothing is parked.
  std::optional<PendingAction> step();

  // Blocks until some live peer is parked or the deadline passes. The gate protocol gives
  // the driver no word to sleep on (a parking peer only publishes step_pending), so this
  // sleeps in short bounded intervals (0.1 ms growing to 2 ms), never past the deadline.
  bool wait_for_pending(Deadline deadline);

  // Grants actions (oldest first) until one that is an EventSet has been granted; returns
  // what it granted. Stops early (possibly with nothing) when no peer parks before the
  // deadline.
  std::vector<PendingAction> run_to_next_event(Deadline deadline);

 private:
  bool slot_alive(int slot, const ParticipantSlot& p) const;

  Session* session_ = nullptr;
  Block& block_;
  std::uint64_t observation_ = 0;
  struct Seen {
    std::uint32_t pid = 0;
    std::uint32_t taken = 0;
    std::uint32_t kind = 0;
    std::uint64_t since = 0;
    std::uint64_t since_ns = 0;
    bool valid = false;
  };
  Seen seen_[kParticipantSlots];
};

}  // namespace shmipc
