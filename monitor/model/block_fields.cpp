#include "model/block_fields.hpp"

#include <algorithm>

#include "shmipc/block.hpp"
#include "shmipc/block_fields.hpp"

namespace shmscope {

namespace {

using shmipc::Block;

struct RelField {
  const char* name;
  std::size_t offset;
  std::size_t size;
};

// The region is where the field lies; the data bytes are a region of their own.
FieldRegion region_of(const shmipc::BlockFieldSpan& f) {
  if (f.name == "message.data") return FieldRegion::Data;
  static constexpr FieldRegion kOrder[] = {
      FieldRegion::Journal, FieldRegion::Control, FieldRegion::Participants, FieldRegion::Waiters,
      FieldRegion::Events,  FieldRegion::Mutex,   FieldRegion::Message,      FieldRegion::Header};
  for (FieldRegion r : kOrder) {
    if (f.offset >= region_offset(r)) return r;
  }
  return FieldRegion::Padding;
}

std::vector<BlockField> build_table() {
  std::vector<BlockField> t;
  for (const shmipc::BlockFieldSpan& f : shmipc::block_field_table()) {
    t.push_back({f.name, f.offset, f.size, region_of(f)});
  }
  return t;
}

const std::size_t kJournalEntries = shmipc::journal_entries_offset();

}  // namespace

const std::vector<BlockField>& fixed_block_fields() {
  static const std::vector<BlockField> table = build_table();
  return table;
}

std::optional<BlockField> field_at(std::size_t offset) {
  if (offset >= sizeof(Block)) return std::nullopt;
  if (offset >= kJournalEntries) {
    static const RelField kEntry[] = {
        {"version_head", 0, 8}, {"t_ns", 8, 8},      {"pid", 16, 4},         {"tid", 20, 4},
        {"kind", 24, 2},        {"role", 26, 1},     {"flags", 27, 1},       {"arg", 28, 4},
        {"value", 32, 8},       {"preview", 40, 16}, {"version_tail", 56, 8}};
    std::size_t index = (offset - kJournalEntries) / 64;
    std::size_t base = kJournalEntries + 64 * index;
    std::size_t rel = offset - base;
    for (const RelField& f : kEntry) {
      if (rel >= f.offset && rel < f.offset + f.size) {
        return BlockField{"journal.entries[" + std::to_string(index) + "]." + f.name,
                          base + f.offset, f.size, FieldRegion::Journal};
      }
    }
    return std::nullopt;
  }
  const auto& t = fixed_block_fields();
  auto it = std::upper_bound(t.begin(), t.end(), offset,
                             [](std::size_t o, const BlockField& f) { return o < f.offset; });
  if (it == t.begin()) return std::nullopt;
  --it;
  if (offset < it->offset + it->size) return *it;
  return BlockField{"(padding)", offset, 1, FieldRegion::Padding};
}

std::optional<BlockField> field_named(const std::string& name) {
  for (const BlockField& f : fixed_block_fields()) {
    if (f.name == name) return f;
  }
  return std::nullopt;
}

const char* region_name(FieldRegion r) {
  switch (r) {
    case FieldRegion::Header:
      return "Header";
    case FieldRegion::Message:
      return "Message";
    case FieldRegion::Data:
      return "Data";
    case FieldRegion::Mutex:
      return "Mutex";
    case FieldRegion::Events:
      return "Events";
    case FieldRegion::Waiters:
      return "Waiters";
    case FieldRegion::Participants:
      return "Participants";
    case FieldRegion::Control:
      return "Control";
    case FieldRegion::Journal:
      return "Journal";
    case FieldRegion::Padding:
      return "Padding";
  }
  return "?";
}

std::size_t region_offset(FieldRegion r) {
  switch (r) {
    case FieldRegion::Header:
      return offsetof(Block, header);
    case FieldRegion::Message:
      return offsetof(Block, message);
    case FieldRegion::Data:
      return offsetof(Block, message) + 64;
    case FieldRegion::Mutex:
      return offsetof(Block, mutex);
    case FieldRegion::Events:
      return offsetof(Block, events);
    case FieldRegion::Waiters:
      return offsetof(Block, waiters);
    case FieldRegion::Participants:
      return offsetof(Block, participants);
    case FieldRegion::Control:
      return offsetof(Block, control);
    case FieldRegion::Journal:
      return offsetof(Block, journal);
    case FieldRegion::Padding:
      return 0;
  }
  return 0;
}

BlockField journal_entry_bytes(std::uint64_t seq) {
  std::size_t index = static_cast<std::size_t>(seq % shmipc::kJournalCapacity);
  return {"journal.entries[" + std::to_string(index) + "]", kJournalEntries + 64 * index, 64,
          FieldRegion::Journal};
}

std::vector<BlockField> highlight_ranges(const Highlight& h) {
  switch (h.target) {
    case Highlight::Target::None:
      return {};
    case Highlight::Target::JournalEntry:
      return {journal_entry_bytes(h.journal_seq)};
    case Highlight::Target::BlockRange:
      return {BlockField{"selection", h.offset, h.size, FieldRegion::Padding}};
    case Highlight::Target::Event:
      if (h.index < 0 || h.index >= static_cast<int>(shmipc::kEventCount)) return {};
      return {BlockField{"events[" + std::to_string(h.index) + "]",
                         offsetof(Block, events) + 64 * static_cast<std::size_t>(h.index), 64,
                         FieldRegion::Events}};
    case Highlight::Target::Participant:
      if (h.index < 0 || h.index >= static_cast<int>(shmipc::kParticipantSlots)) return {};
      return {BlockField{"participants[" + std::to_string(h.index) + "]",
                         offsetof(Block, participants) + 64 * static_cast<std::size_t>(h.index), 64,
                         FieldRegion::Participants}};
    case Highlight::Target::Mutex:
      return {BlockField{"mutex", offsetof(Block, mutex), 128, FieldRegion::Mutex}};
  }
  return {};
}

}  // namespace shmscope
