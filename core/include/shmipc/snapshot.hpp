// A consistent, validated copy of a block, taken without the mutex. The raw bytes are kept
// (the monitor's hex view shows them); every decoded value was copied once from them and
// bounds-checked. A value out of range is reported as a FieldProblem naming the field,
// never used as a size or index.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "shmipc/block.hpp"

namespace shmipc {

struct FieldProblem {
  std::string field;    // e.g. "message.data_size"
  std::string problem;  // e.g. "1200 exceeds the capacity of 1000"
  std::size_t offset = 0;  // byte offset in the block, for highlighting
  std::size_t size = 0;
};

struct SnapshotHeader {
  std::uint64_t magic = 0;
  std::uint32_t layout_version = 0;
  std::uint32_t block_size = 0;
  std::uint32_t creator_uid = 0;
  std::uint32_t creator_pid = 0;
  std::uint64_t created_realtime_ns = 0;
  std::uint64_t created_monotonic_ns = 0;
  bool ready = false;
  std::uint32_t session_epoch = 0;
};

struct SnapshotMessage {
  std::uint64_t version_head = 0;
  std::uint64_t version_tail = 0;
  bool consistent = false;  // versions agree: no write in progress or torn
  std::uint32_t process_id = 0;
  bool child_ack = false;
  std::uint32_t child_ack_raw = 0;
  std::uint32_t ack_pid = 0;  // the child that acknowledged (layout 2)
  std::uint32_t data_size_raw = 0;  // as found
  std::uint32_t data_size = 0;      // clamped to 0 when data_size_raw is out of range
  bool data_size_valid = false;
  std::uint32_t checksum = 0;
  bool checksum_ok = false;         // computed over the copy; false if data_size invalid
  std::uint64_t message_sequence = 0;
  std::uint64_t message_read_sequence = 0;
  std::uint32_t writer_pid = 0;
  std::uint32_t message_flags = 0;
  std::uint32_t command_raw = 0;
  Command command = Command::None;  // None when command_raw is unknown
  std::uint32_t command_arg = 0;
  std::uint64_t command_sequence = 0;
  std::array<char, kDataCapacity> data{};
};

struct SnapshotMutex {
  std::uint32_t owner_pid = 0;
  std::uint32_t owner_tid = 0;
  Role owner_role = Role::None;
  std::uint32_t waiters = 0;
  std::uint64_t owner_since_ns = 0;
  std::uint64_t lock_count = 0;
  std::uint64_t contended_count = 0;
  std::uint64_t total_hold_ns = 0;
  std::uint32_t owner_died_count = 0;
  std::uint32_t last_dead_owner_pid = 0;
  std::uint64_t last_owner_died_ns = 0;
  // Of `waiters`, those counted by participants that died inside lock() (filled by the
  // Observer): the block's count heals when their slot is taken over.
  std::uint32_t stale_waiters = 0;
  std::uint32_t live_waiters() const { return waiters > stale_waiters ? waiters - stale_waiters : 0; }
  bool held() const { return owner_pid != 0; }
};

struct SnapshotEvent {
  bool signalled = false;
  std::uint32_t waiters = 0;  // waiter slots in use whose mask has this event
  std::uint32_t stale_waiters = 0;  // of those, slots whose owner is dead (filled by the Observer)
  std::uint32_t live_waiters() const { return waiters > stale_waiters ? waiters - stale_waiters : 0; }
  std::uint64_t times_set = 0;
  std::uint64_t times_consumed = 0;
  std::uint32_t last_setter_pid = 0;
  Role last_setter_role = Role::None;
  std::uint64_t last_set_ns = 0;
  std::uint32_t last_consumer_pid = 0;
  std::uint64_t last_consumed_ns = 0;
};

struct SnapshotWaiter {
  std::uint32_t owner_tid = 0;
  std::uint32_t owner_pid = 0;
  std::uint32_t wait_mask = 0;
  std::uint64_t since_ns = 0;
  std::uint64_t owner_start_time = 0;
  Role owner_role = Role::None;
  bool alive = true;  // filled by the Observer: its thread still runs (pid + start time agree)
  bool in_use() const { return owner_tid != 0; }
};

struct SnapshotParticipant {
  Role role = Role::None;
  std::uint32_t pid = 0;
  std::uint64_t start_time = 0;
  std::uint64_t joined_ns = 0;
  std::uint64_t heartbeat_ns = 0;
  Activity activity = Activity::Idle;
  PeerMode mode = PeerMode::Reliable;
  JournalKind step_pending = JournalKind::None;
  std::uint32_t step_pending_arg = 0;
  std::uint32_t step_grants = 0;
  std::uint32_t step_taken = 0;
  std::uint32_t cpu = kUnknownCpu;  // at its last wait (adaptive waiting)
  RunState run_state = RunState::Running;
  bool alive = false;  // filled by the Observer (kernel lock probe + pid/start time)
  bool in_use() const { return role != Role::None; }
};

struct Snapshot {
  std::vector<std::byte> raw;  // bytes as copied; size() < sizeof(Block) if truncated
  std::uint64_t taken_ns = 0;  // monotonic
  int attempts = 0;            // copies taken until consistent (or the bound was hit)
  SnapshotHeader header;
  SnapshotMessage message;
  SnapshotMutex mutex;
  std::array<SnapshotEvent, kEventCount> events;
  std::array<SnapshotWaiter, kWaiterSlots> waiters;
  std::array<SnapshotParticipant, kParticipantSlots> participants;
  bool step_mode = false;
  std::uint64_t journal_next = 0;
  std::vector<FieldProblem> problems;

  bool corrupt() const { return !problems.empty(); }
};

// Pure: decodes and validates a byte copy of a block. Never reads outside `raw`.
Snapshot decode_snapshot(std::span<const std::byte> raw);
// The same, keeping `raw` as Snapshot::raw instead of copying it (a block is 131 KiB).
Snapshot decode_snapshot(std::vector<std::byte>&& raw);

// CRC-32 (zlib/IEEE) of what the message checksum covers.
std::uint32_t message_checksum(std::uint64_t sequence, std::uint32_t data_size,
                               const char* data) noexcept;

}  // namespace shmipc
