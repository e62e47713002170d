// Who is acting on a block: every journal record, owner record and event setter field is
// stamped from here. Also the step gate: in step mode every protocol action waits for a
// grant before it happens (see docs/PROTOCOL.md, "Step mode").
#pragma once

#include <cstdint>

#include "shmipc/adaptive_spin.hpp"
#include "shmipc/block.hpp"
#include "shmipc/clock.hpp"

namespace shmipc {

struct Actor {
  Block* block = nullptr;
  Role role = Role::None;
  std::uint32_t pid = 0;
  int slot = -1;  // participant slot, -1 for none (e.g. a unit test without a session)
  bool injected = false;  // journal records are flagged as injections (observer acting)

  // Blocks until this actor may perform `kind` when step mode is on; returns at once
  // otherwise. Returns false if the deadline passed without a grant.
  bool gate(JournalKind kind, std::uint32_t arg = 0, Deadline deadline = kForever) const;

  void set_activity(Activity a) const noexcept;

  // Adaptive waiting (adaptive_spin.hpp): publishes this actor's run state, and its CPU
  // unless `cpu` is kUnknownCpu.
  void set_run_state(RunState s, std::uint32_t cpu = kUnknownCpu) const noexcept;
  // The other peer's published words (the child's for the parent, the parent's for the
  // child); none for observers and tools, or while the other role is vacant.
  PartnerWords partner() const noexcept;
  // The words of the participant with this pid (the mutex owner), none if no slot has it.
  PartnerWords participant_words(std::uint32_t pid) const noexcept;
};

}  // namespace shmipc
