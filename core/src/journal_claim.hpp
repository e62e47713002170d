// Two-phase append, for an action whose journal position must be fixed before it becomes
// visible to other processes but whose details are known only after it happened (an event
// set: "was it already signalled?" is the answer of the very exchange that publishes it).
// Claim first, act, then write: a consumer that reacts to the action claims a later record.
#pragma once

#include <cstdint>
#include <string_view>

#include "shmipc/actor.hpp"
#include "shmipc/block.hpp"

namespace shmipc {

struct JournalClaim {
  std::uint64_t seq = 0;
  std::uint64_t t_ns = 0;  // taken at the claim, so timestamps follow sequence order
  bool valid = false;
};

JournalClaim journal_claim(const Actor& who) noexcept;

// Writes the claimed record; until then readers wait at it (it is "in progress").
void journal_write(const Actor& who, const JournalClaim& claim, JournalKind kind,
                   std::uint32_t arg = 0, std::uint64_t value = 0,
                   std::string_view preview = {}) noexcept;

}  // namespace shmipc
