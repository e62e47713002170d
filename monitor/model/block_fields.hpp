// The field map of the shared block: which bytes are which field, from the offsets in
// docs/PROTOCOL.md (and pinned in shmipc/block.hpp). One table, used by the hex view (hovering
// bytes names the field), the decoded-field list (hovering a field lights its bytes) and tests.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "ui/ui_state.hpp"

namespace shmscope {

enum class FieldRegion {
  Header,
  Message,
  Data,
  Mutex,
  Events,
  Waiters,
  Participants,
  Control,
  Journal,
  Padding
};

struct BlockField {
  std::string name;  // e.g. "message.data_size", "events[1].signalled"
  std::size_t offset = 0;
  std::size_t size = 0;
  FieldRegion region = FieldRegion::Padding;
};

// The fixed fields in offset order (header, message area, mutex, events, waiter slots,
// participants, control, journal head). Journal entries are described by field_at().
const std::vector<BlockField>& fixed_block_fields();

// The field that contains byte `offset` of the block; nullopt past the end of the block.
std::optional<BlockField> field_at(std::size_t offset);

// The field called `name` ("message.data_size", ...), if the table has it.
std::optional<BlockField> field_named(const std::string& name);

const char* region_name(FieldRegion r);
std::size_t region_offset(FieldRegion r);

// Byte range [offset, offset + size) of the journal entry that holds record `seq`.
BlockField journal_entry_bytes(std::uint64_t seq);

// Byte ranges a highlight covers (a journal entry, an event, a participant slot, the mutex).
std::vector<BlockField> highlight_ranges(const Highlight& h);

}  // namespace shmscope
