#include "shmipc/block_fields.hpp"

#include "shmipc/block.hpp"

namespace shmipc {

namespace {

struct RelField {
  const char* name;
  std::size_t offset;
  std::size_t size;
};

void add(std::vector<BlockFieldSpan>& out, const std::string& prefix, std::size_t base,
         std::initializer_list<RelField> rel) {
  for (const RelField& f : rel) {
    out.push_back({prefix + f.name, base + f.offset, f.size});
  }
}

std::vector<BlockFieldSpan> build_table() {
  std::vector<BlockFieldSpan> t;
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
       {"reserved", 48, 16}});
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
       {"command_sequence", 56, 8}});
  t.push_back({"message.data", m + 64, kDataCapacity});
  add(t, "message.", m, {{"ack_pid", 1064, 4}, {"pad", 1068, 12}, {"version_tail", 1080, 8}});
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
       {"last_owner_died_ns", 120, 8}});
  for (std::size_t i = 0; i < kEventCount; ++i) {
    add(t, "events[" + std::to_string(i) + "].", offsetof(Block, events) + 64 * i,
        {{"signalled", 0, 4},
         {"last_setter_pid", 4, 4},
         {"times_set", 8, 8},
         {"times_consumed", 16, 8},
         {"last_set_ns", 24, 8},
         {"last_setter_role", 32, 4},
         {"last_consumer_pid", 36, 4},
         {"last_consumed_ns", 40, 8},
         {"reserved", 48, 16}});
  }
  for (std::size_t i = 0; i < kWaiterSlots; ++i) {
    add(t, "waiters[" + std::to_string(i) + "].", offsetof(Block, waiters) + 64 * i,
        {{"owner_tid", 0, 4},
         {"owner_pid", 4, 4},
         {"wait_mask", 8, 4},
         {"wake_seq", 12, 4},
         {"since_ns", 16, 8},
         {"owner_start_time", 24, 8},
         {"owner_role", 32, 4},
         {"reserved", 36, 28}});
  }
  for (std::size_t i = 0; i < kParticipantSlots; ++i) {
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
         {"cpu", 56, 4},
         {"run_state", 60, 4}});
  }
  add(t, "control.", offsetof(Block, control),
      {{"step_mode", 0, 4}, {"control_seq", 4, 4}, {"reserved", 8, 56}});
  add(t, "journal.", offsetof(Block, journal), {{"next", 0, 8}, {"reserved", 8, 56}});
  return t;
}

}  // namespace

const std::vector<BlockFieldSpan>& block_field_table() {
  static const std::vector<BlockFieldSpan> table = build_table();
  return table;
}

std::size_t journal_entries_offset() {
  return offsetof(Block, journal) + offsetof(JournalRing, entries);
}

}  // namespace shmipc
