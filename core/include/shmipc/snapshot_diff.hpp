// What a step changed: the named fields whose bytes differ between two snapshots of a block
// (time travel highlights them). Works on the raw copies, so it needs no trust in either.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "shmipc/snapshot.hpp"

namespace shmipc {

struct FieldChange {
  std::string field;       // e.g. "message.data_size", "events[1].signalled", "journal"
  std::size_t offset = 0;  // in the block
  std::size_t size = 0;
};

// In block order. The journal's entries count as one field, "journal.entries"; the mutex's
// pthread word as "mutex.mutex"; bytes past the shorter copy are ignored.
std::vector<FieldChange> changed_fields(const Snapshot& before, const Snapshot& after);

}  // namespace shmipc
