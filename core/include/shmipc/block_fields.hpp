// The named fields of the shared block, in address order, from the offsets of
// docs/PROTOCOL.md (pinned in block.hpp). One table for every reader that names bytes: the
// monitor's hex view and field list, and the fields a step changed (snapshot_diff).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace shmipc {

struct BlockFieldSpan {
  std::string name;  // e.g. "message.data_size", "events[1].signalled", "control.reserved"
  std::size_t offset = 0;
  std::size_t size = 0;
};

// Every byte from the header to the journal's head belongs to exactly one entry (reserved and
// pad bytes included); the journal entries that follow are not listed one by one.
const std::vector<BlockFieldSpan>& block_field_table();

// Where the journal entries start: everything from here on is journal.entries[i].
std::size_t journal_entries_offset();

}  // namespace shmipc
