// Narration for teaching: one short sentence in words for a protocol action, saying what
// happens and why ("The child releases the mutex so that the parent can read it."). Pure
// functions of the action's fields; every JournalKind has a sentence, unknown values too.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "shmipc/block.hpp"

namespace shmipc {

struct PendingAction;

struct NarrationFacts {
  JournalKind kind = JournalKind::None;
  Role role = Role::None;
  std::uint32_t arg = 0;
  std::uint64_t value = 0;
  std::string_view preview;  // first bytes of a message, may hold any byte
};

// "The child is about to lock the mutex so that ..." (an action parked at its gate).
std::string narrate_pending(const NarrationFacts& facts);
std::string narrate_pending(const PendingAction& action);

// "The child locked the mutex so that ..." (an action that happened, from the journal).
std::string narrate_record(const NarrationFacts& facts);
std::string narrate_record(const JournalRecord& record);

// "the parent", "the child", "an observer", "a tool", "a process".
std::string_view role_noun(Role role) noexcept;

}  // namespace shmipc
