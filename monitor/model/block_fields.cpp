#include "model/block_fields.hpp"

#include <algorithm>

#include "shmipc/block.hpp"

namespace shmscope {

namespace {

using shmipc::Block;

struct RelField {
  const char* name;
  std::size_t offset;
  std::size_t size;
};

void add(std::vector<BlockField>& out, std::string prefix, std::size_t base,
         std::initializer_list<RelField> rel, FieldRegion region) {
  for (const RelField& f : rel) {
    out.push_back({prefix + f.name, base + f.offset, f.size, region});
  }
}

std::vector<BlockField> build_table() {
  std::vector<BlockField> t;
  add(t, "header.", offsetof(Block, header),
      {{"magic", 0, 8},
       {"layout_version", 8, 4},
       {"block_size", 12, 4},
       {"creator_uid", 16, 4},
       {"creator_pid", 20, 4},
       {"created_realtime_ns", 24, 8},
       {"created_monotonic_ns", 32, 8},
       {"init_state", 40, 4},
       {"session_epoch", 44, 4},
       {"reserved", 48, 16}},
      FieldRegion::Header);
  const std::size_t m = offsetof(Block, message);
  add(t, "message.", m,
      {{"version_head", 0, 8},
       {"process_id", 8, 4},
       {"child_ack", 12, 4},
       {"data_size", 16, 4},
       {"checksum", 20, 4},
       {"message_sequence", 24, 8},
       {"writer_pid", 32, 4},
       {"message_flags", 36, 4},
       {"message_read_sequence", 40, 8},
       {"command", 48, 4},
       {"command_arg", 52, 4},
       {"command_sequence", 56, 8}},
      FieldRegion::Message);
  t.push_back({"message.data", m + 64, shmipc::kDataCapacity, FieldRegion::Data});
  add(t, "message.", m, {{"pad", 1064, 16}, {"version_tail", 1080, 8}}, FieldRegion::Message);
  add(t, "mutex.", offsetof(Block, mutex),
      {{"mutex", 0, 64},
       {"owner_pid", 64, 4},
       {"owner_tid", 68, 4},
       {"owner_role", 72, 4},
       {"waiters", 76, 4},
       {"owner_since_ns", 80, 8},
       {"lock_count", 88, 8},
       {"contended_count", 96, 8},
       {"total_hold_ns", 104, 8},
       {"owner_died_count", 112, 4},
       {"last_dead_owner_pid", 116, 4},
       {"last_owner_died_ns", 120, 8}},
      FieldRegion::Mutex);
  for (std::size_t i = 0; i < shmipc::kEventCount; ++i) {
    add(t, "events[" + std::to_string(i) + "].", offsetof(Block, events) + 64 * i,
        {{"signalled", 0, 4},
         {"last_setter_pid", 4, 4},
         {"times_set", 8, 8},
         {"times_consumed", 16, 8},
         {"last_set_ns", 24, 8},
         {"last_setter_role", 32, 4},
         {"last_consumer_pid", 36, 4},
         {"last_consumed_ns", 40, 8},
         {"reserved", 48, 16}},
        FieldRegion::Events);
  }
  for (std::size_t i = 0; i < shmipc::kWaiterSlots; ++i) {
    add(t, "waiters[" + std::to_string(i) + "].", offsetof(Block, waiters) + 64 * i,
        {{"owner_tid", 0, 4},
         {"owner_pid", 4, 4},
         {"wait_mask", 8, 4},
         {"wake_seq", 12, 4},
         {"since_ns", 16, 8},
         {"owner_start_time", 24, 8},
         {"owner_role", 32, 4},
         {"reserved", 36, 28}},
        FieldRegion::Waiters);
  }
  for (std::size_t i = 0; i < shmipc::kParticipantSlots; ++i) {
    add(t, "participants[" + std::to_string(i) + "].", offsetof(Block, participants) + 64 * i,
        {{"role", 0, 4},
         {"pid", 4, 4},
         {"start_time", 8, 8},
         {"joined_ns", 16, 8},
         {"heartbeat_ns", 24, 8},
         {"activity", 32, 4},
         {"mode", 36, 4},
         {"step_pending", 40, 4},
         {"step_grants", 44, 4},
         {"step_taken", 48, 4},
         {"step_pending_arg", 52, 4},
         {"reserved", 56, 8}},
        FieldRegion::Participants);
  }
  add(t, "control.", offsetof(Block, control),
      {{"step_mode", 0, 4}, {"control_seq", 4, 4}, {"reserved", 8, 56}}, FieldRegion::Control);
  add(t, "journal.", offsetof(Block, journal), {{"next", 0, 8}, {"reserved", 8, 56}},
      FieldRegion::Journal);
  return t;
}

constexpr std::size_t kJournalEntries = offsetof(Block, journal) + 64;

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
