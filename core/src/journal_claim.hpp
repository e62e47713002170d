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

// `t_ns` 0 reads the clock; a protocol step that already read it passes its time instead
// (one clock read per step, not per record: the read is half of a record's cost).
// `count` > 1 claims consecutive records at once (seq, seq + 1, ...: one fetch_add on the
// ring's contended counter), for records that belong together, as an uncontended lock's
// LockRequested and LockAcquired.
JournalClaim journal_claim(const Actor& who, std::uint64_t t_ns = 0,
                           std::uint32_t count = 1) noexcept;

// Writes the claimed record; until then readers wait at it (it is "in progress").
void journal_write(const Actor& who, const JournalClaim& claim, JournalKind kind,
                   std::uint32_t arg = 0, std::uint64_t value = 0,
                   std::string_view preview = {}) noexcept;

// The claim's next record (of a claim made with count > 1).
inline JournalClaim next_of(JournalClaim claim) noexcept {
  ++claim.seq;
  return claim;
}

}  // namespace shmipc
