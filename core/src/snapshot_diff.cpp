#include "shmipc/snapshot_diff.hpp"

#include <algorithm>
#include <cstring>

namespace shmipc {

namespace {

struct NamedField {
  std::string name;
  std::size_t offset;
  std::size_t size;
};

#define SHMIPC_FIELD(prefix, base, type, member) \
  fields.push_back({prefix #member, (base) + offsetof(type, member), sizeof(type::member)})

// Every named field of the layout, in address order.
std::vector<NamedField> layout_fields() {
  std::vector<NamedField> fields;
  const std::size_t h = offsetof(Block, header);
  SHMIPC_FIELD("header.", h, BlockHeader, magic);
  SHMIPC_FIELD("header.", h, BlockHeader, layout_version);
  SHMIPC_FIELD("header.", h, BlockHeader, block_size);
  SHMIPC_FIELD("header.", h, BlockHeader, creator_uid);
  SHMIPC_FIELD("header.", h, BlockHeader, creator_pid);
  SHMIPC_FIELD("header.", h, BlockHeader, created_realtime_ns);
  SHMIPC_FIELD("header.", h, BlockHeader, created_monotonic_ns);
  SHMIPC_FIELD("header.", h, BlockHeader, init_state);
  SHMIPC_FIELD("header.", h, BlockHeader, session_epoch);
  const std::size_t m = offsetof(Block, message);
  SHMIPC_FIELD("message.", m, MessageArea, version_head);
  SHMIPC_FIELD("message.", m, MessageArea, process_id);
  SHMIPC_FIELD("message.", m, MessageArea, child_ack);
  SHMIPC_FIELD("message.", m, MessageArea, data_size);
  SHMIPC_FIELD("message.", m, MessageArea, checksum);
  SHMIPC_FIELD("message.", m, MessageArea, message_sequence);
  SHMIPC_FIELD("message.", m, MessageArea, writer_pid);
  SHMIPC_FIELD("message.", m, MessageArea, message_flags);
  SHMIPC_FIELD("message.", m, MessageArea, message_read_sequence);
  SHMIPC_FIELD("message.", m, MessageArea, command);
  SHMIPC_FIELD("message.", m, MessageArea, command_arg);
  SHMIPC_FIELD("message.", m, MessageArea, command_sequence);
  SHMIPC_FIELD("message.", m, MessageArea, data);
  SHMIPC_FIELD("message.", m, MessageArea, version_tail);
  const std::size_t x = offsetof(Block, mutex);
  SHMIPC_FIELD("mutex.", x, MutexArea, mutex);
  SHMIPC_FIELD("mutex.", x, MutexArea, owner_pid);
  SHMIPC_FIELD("mutex.", x, MutexArea, owner_tid);
  SHMIPC_FIELD("mutex.", x, MutexArea, owner_role);
  SHMIPC_FIELD("mutex.", x, MutexArea, waiters);
  SHMIPC_FIELD("mutex.", x, MutexArea, owner_since_ns);
  SHMIPC_FIELD("mutex.", x, MutexArea, lock_count);
  SHMIPC_FIELD("mutex.", x, MutexArea, contended_count);
  SHMIPC_FIELD("mutex.", x, MutexArea, total_hold_ns);
  SHMIPC_FIELD("mutex.", x, MutexArea, owner_died_count);
  SHMIPC_FIELD("mutex.", x, MutexArea, last_dead_owner_pid);
  SHMIPC_FIELD("mutex.", x, MutexArea, last_owner_died_ns);
  for (std::size_t i = 0; i < kEventCount; ++i) {
    const std::size_t e = offsetof(Block, events) + i * sizeof(EventState);
    const std::string p = "events[" + std::to_string(i) + "].";
    fields.push_back({p + "signalled", e + offsetof(EventState, signalled), 4});
    fields.push_back({p + "last_setter_pid", e + offsetof(EventState, last_setter_pid), 4});
    fields.push_back({p + "times_set", e + offsetof(EventState, times_set), 8});
    fields.push_back({p + "times_consumed", e + offsetof(EventState, times_consumed), 8});
    fields.push_back({p + "last_set_ns", e + offsetof(EventState, last_set_ns), 8});
    fields.push_back({p + "last_setter_role", e + offsetof(EventState, last_setter_role), 4});
    fields.push_back({p + "last_consumer_pid", e + offsetof(EventState, last_consumer_pid), 4});
    fields.push_back({p + "last_consumed_ns", e + offsetof(EventState, last_consumed_ns), 8});
  }
  for (std::size_t i = 0; i < kWaiterSlots; ++i) {
    const std::size_t w = offsetof(Block, waiters) + i * sizeof(WaiterSlot);
    const std::string p = "waiters[" + std::to_string(i) + "].";
    fields.push_back({p + "owner_tid", w + offsetof(WaiterSlot, owner_tid), 4});
    fields.push_back({p + "owner_pid", w + offsetof(WaiterSlot, owner_pid), 4});
    fields.push_back({p + "wait_mask", w + offsetof(WaiterSlot, wait_mask), 4});
    fields.push_back({p + "wake_seq", w + offsetof(WaiterSlot, wake_seq), 4});
    fields.push_back({p + "since_ns", w + offsetof(WaiterSlot, since_ns), 8});
    fields.push_back({p + "owner_start_time", w + offsetof(WaiterSlot, owner_start_time), 8});
    fields.push_back({p + "owner_role", w + offsetof(WaiterSlot, owner_role), 4});
  }
  for (std::size_t i = 0; i < kParticipantSlots; ++i) {
    const std::size_t s = offsetof(Block, participants) + i * sizeof(ParticipantSlot);
    const std::string p = "participants[" + std::to_string(i) + "].";
    fields.push_back({p + "role", s + offsetof(ParticipantSlot, role), 4});
    fields.push_back({p + "pid", s + offsetof(ParticipantSlot, pid), 4});
    fields.push_back({p + "start_time", s + offsetof(ParticipantSlot, start_time), 8});
    fields.push_back({p + "joined_ns", s + offsetof(ParticipantSlot, joined_ns), 8});
    fields.push_back({p + "heartbeat_ns", s + offsetof(ParticipantSlot, heartbeat_ns), 8});
    fields.push_back({p + "activity", s + offsetof(ParticipantSlot, activity), 4});
    fields.push_back({p + "mode", s + offsetof(ParticipantSlot, mode), 4});
    fields.push_back({p + "step_pending", s + offsetof(ParticipantSlot, step_pending), 4});
    fields.push_back({p + "step_grants", s + offsetof(ParticipantSlot, step_grants), 4});
    fields.push_back({p + "step_taken", s + offsetof(ParticipantSlot, step_taken), 4});
    fields.push_back({p + "step_pending_arg", s + offsetof(ParticipantSlot, step_pending_arg), 4});
  }
  const std::size_t c = offsetof(Block, control);
  fields.push_back({"control.step_mode", c + offsetof(ControlArea, step_mode), 4});
  fields.push_back({"control.control_seq", c + offsetof(ControlArea, control_seq), 4});
  const std::size_t j = offsetof(Block, journal);
  fields.push_back({"journal.next", j + offsetof(JournalRing, next), 8});
  fields.push_back({"journal.entries", j + offsetof(JournalRing, entries),
                    sizeof(JournalEntry) * kJournalCapacity});
  return fields;
}

#undef SHMIPC_FIELD

}  // namespace

std::vector<FieldChange> changed_fields(const Snapshot& before, const Snapshot& after) {
  static const std::vector<NamedField> fields = layout_fields();
  const std::size_t n = std::min(before.raw.size(), after.raw.size());
  std::vector<FieldChange> out;
  for (const NamedField& f : fields) {
    if (f.offset + f.size > n) break;
    if (std::memcmp(before.raw.data() + f.offset, after.raw.data() + f.offset, f.size) != 0)
      out.push_back({f.name, f.offset, f.size});
  }
  return out;
}

}  // namespace shmipc
