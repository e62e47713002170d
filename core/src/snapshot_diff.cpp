#include "shmipc/snapshot_diff.hpp"

#include <algorithm>
#include <cstring>

#include "shmipc/block_fields.hpp"

namespace shmipc {

std::vector<FieldChange> changed_fields(const Snapshot& before, const Snapshot& after) {
  const std::size_t n = std::min(before.raw.size(), after.raw.size());
  auto differs = [&](std::size_t offset, std::size_t size) {
    return offset + size <= n &&
           std::memcmp(before.raw.data() + offset, after.raw.data() + offset, size) != 0;
  };
  std::vector<FieldChange> out;
  for (const BlockFieldSpan& f : block_field_table()) {
    if (f.offset + f.size > n) break;
    if (differs(f.offset, f.size)) out.push_back({f.name, f.offset, f.size});
  }
  const std::size_t entries = journal_entries_offset();
  const std::size_t entries_size = sizeof(JournalEntry) * kJournalCapacity;
  if (differs(entries, entries_size)) out.push_back({"journal.entries", entries, entries_size});
  return out;
}

}  // namespace shmipc
