// Decoding a byte copy of a block. Every field is memcpy'd once from the copy into a local at
// its documented offset (docs/PROTOCOL.md, "Byte layout"), then checked; nothing here reads
// outside the span, whatever the copy contains or however short it is.
#include "shmipc/snapshot.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>

namespace shmipc {

namespace {

constexpr std::size_t kHeader = offsetof(Block, header);
constexpr std::size_t kMessage = offsetof(Block, message);
constexpr std::size_t kMutex = offsetof(Block, mutex);
constexpr std::size_t kEvents = offsetof(Block, events);
constexpr std::size_t kWaiters = offsetof(Block, waiters);
constexpr std::size_t kParticipants = offsetof(Block, participants);
constexpr std::size_t kControl = offsetof(Block, control);
constexpr std::size_t kJournal = offsetof(Block, journal);
constexpr std::size_t kJournalEntries = kJournal + offsetof(JournalRing, entries);

// The highest value each enum of the layout contract defines.
constexpr std::uint32_t kMaxRole = static_cast<std::uint32_t>(Role::Tool);
constexpr std::uint32_t kMaxActivity = static_cast<std::uint32_t>(Activity::SpinningMutex);
constexpr std::uint32_t kMaxRunState = static_cast<std::uint32_t>(RunState::Blocked);
constexpr std::uint32_t kMaxMode = static_cast<std::uint32_t>(PeerMode::SeedFaithful);
constexpr std::uint32_t kMaxCommand = static_cast<std::uint32_t>(Command::Ping);
constexpr std::uint32_t kMaxJournalKind = static_cast<std::uint32_t>(kLastJournalKind);
constexpr std::uint32_t kKnownMessageFlags =
    kMessageFlagInjected | kMessageFlagRecoveredTorn | kMessageFlagWithdrawn;
constexpr std::uint32_t kAllEvents = (1u << kEventCount) - 1;
// Journal problems are capped: a block of noise would otherwise give thousands of them.
constexpr std::size_t kMaxJournalProblems = 8;

class Decoder {
 public:
  explicit Decoder(std::span<const std::byte> raw, std::vector<FieldProblem>& problems)
      : raw_(raw), problems_(problems) {}

  // The value at `offset`, or zero when the copy does not reach that far (the truncation is
  // reported once by the caller).
  template <typename T>
  T get(std::size_t offset) const {
    T value{};
    if (offset <= raw_.size() && sizeof(T) <= raw_.size() - offset) {
      std::memcpy(&value, raw_.data() + offset, sizeof(T));
    }
    return value;
  }

  void problem(std::string field, std::string what, std::size_t offset, std::size_t size) {
    problems_.push_back(FieldProblem{std::move(field), std::move(what), offset, size});
  }

  // Checks an enum-valued field; returns the value if known, else `fallback`.
  template <typename E>
  E enumerated(std::uint32_t raw_value, std::uint32_t max, E fallback, const std::string& field,
               const char* kind, std::size_t offset, std::size_t size) {
    if (raw_value > max) {
      problem(field,
              std::to_string(raw_value) + " is not a known " + kind + " (0-" + std::to_string(max) +
                  ")",
              offset, size);
      return fallback;
    }
    return static_cast<E>(raw_value);
  }

  std::span<const std::byte> raw() const { return raw_; }

 private:
  std::span<const std::byte> raw_;
  std::vector<FieldProblem>& problems_;
};

std::string hex64(std::uint64_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "0x";
  for (int shift = 60; shift >= 0; shift -= 4) out += kHex[(v >> shift) & 0xf];
  return out;
}

void decode_header(Decoder& d, SnapshotHeader& h) {
  constexpr std::size_t o = kHeader;
  h.magic = d.get<std::uint64_t>(o + offsetof(BlockHeader, magic));
  h.layout_version = d.get<std::uint32_t>(o + offsetof(BlockHeader, layout_version));
  h.block_size = d.get<std::uint32_t>(o + offsetof(BlockHeader, block_size));
  h.creator_uid = d.get<std::uint32_t>(o + offsetof(BlockHeader, creator_uid));
  h.creator_pid = d.get<std::uint32_t>(o + offsetof(BlockHeader, creator_pid));
  h.created_realtime_ns = d.get<std::uint64_t>(o + offsetof(BlockHeader, created_realtime_ns));
  h.created_monotonic_ns = d.get<std::uint64_t>(o + offsetof(BlockHeader, created_monotonic_ns));
  std::uint32_t init = d.get<std::uint32_t>(o + offsetof(BlockHeader, init_state));
  h.ready = init == kInitReady;
  h.session_epoch = d.get<std::uint32_t>(o + offsetof(BlockHeader, session_epoch));

  if (h.magic != kBlockMagic) {
    d.problem("header.magic", hex64(h.magic) + " is not " + hex64(kBlockMagic) + " (\"SHMSCOPE\")",
              o + offsetof(BlockHeader, magic), 8);
  }
  if (h.layout_version != kLayoutVersion) {
    d.problem("header.layout_version",
              std::to_string(h.layout_version) + " is not the supported version " +
                  std::to_string(kLayoutVersion),
              o + offsetof(BlockHeader, layout_version), 4);
  }
  if (h.block_size != sizeof(Block)) {
    d.problem("header.block_size",
              std::to_string(h.block_size) + " is not " + std::to_string(sizeof(Block)),
              o + offsetof(BlockHeader, block_size), 4);
  }
  if (init != kInitReady && init != kInitBuilding) {
    d.problem("header.init_state",
              std::to_string(init) + " is neither 0 (building) nor " + std::to_string(kInitReady) +
                  " (ready)",
              o + offsetof(BlockHeader, init_state), 4);
  }
}

void decode_message(Decoder& d, SnapshotMessage& m) {
  constexpr std::size_t o = kMessage;
  auto at = [](std::size_t field) { return o + field; };
  m.version_head = d.get<std::uint64_t>(at(offsetof(MessageArea, version_head)));
  m.version_tail = d.get<std::uint64_t>(at(offsetof(MessageArea, version_tail)));
  m.consistent = m.version_head == m.version_tail;
  m.process_id = d.get<std::uint32_t>(at(offsetof(MessageArea, process_id)));
  m.child_ack_raw = d.get<std::uint32_t>(at(offsetof(MessageArea, child_ack)));
  m.child_ack = m.child_ack_raw == 1;
  if (m.child_ack_raw > 1) {
    d.problem("message.child_ack", std::to_string(m.child_ack_raw) + " is neither 0 nor 1",
              at(offsetof(MessageArea, child_ack)), 4);
  }
  m.data_size_raw = d.get<std::uint32_t>(at(offsetof(MessageArea, data_size)));
  m.data_size_valid = m.data_size_raw <= kDataCapacity;
  m.data_size = m.data_size_valid ? m.data_size_raw : 0;
  if (!m.data_size_valid) {
    d.problem("message.data_size",
              std::to_string(m.data_size_raw) + " exceeds the capacity of " +
                  std::to_string(kDataCapacity),
              at(offsetof(MessageArea, data_size)), 4);
  }
  m.checksum = d.get<std::uint32_t>(at(offsetof(MessageArea, checksum)));
  m.message_sequence = d.get<std::uint64_t>(at(offsetof(MessageArea, message_sequence)));
  m.writer_pid = d.get<std::uint32_t>(at(offsetof(MessageArea, writer_pid)));
  m.ack_pid = d.get<std::uint32_t>(at(offsetof(MessageArea, ack_pid)));
  m.message_flags = d.get<std::uint32_t>(at(offsetof(MessageArea, message_flags)));
  if ((m.message_flags & ~kKnownMessageFlags) != 0) {
    d.problem("message.message_flags",
              std::to_string(m.message_flags) + " has bits other than 1 (injected), 2 (torn) and 4 (withdrawn)",
              at(offsetof(MessageArea, message_flags)), 4);
  }
  m.message_read_sequence = d.get<std::uint64_t>(at(offsetof(MessageArea, message_read_sequence)));
  m.command_raw = d.get<std::uint32_t>(at(offsetof(MessageArea, command)));
  m.command = d.enumerated(m.command_raw, kMaxCommand, Command::None, "message.command", "command",
                           at(offsetof(MessageArea, command)), 4);
  m.command_arg = d.get<std::uint32_t>(at(offsetof(MessageArea, command_arg)));
  m.command_sequence = d.get<std::uint64_t>(at(offsetof(MessageArea, command_sequence)));
  // The whole fixed array is copied (it is raw bytes whatever data_size says); only the
  // validated data_size is ever used as a length.
  m.data = d.get<std::array<char, kDataCapacity>>(at(offsetof(MessageArea, data)));
  if (!m.data_size_valid) {
    m.checksum_ok = false;
  } else if (m.message_sequence == 0 && m.data_size == 0 && m.checksum == 0) {
    m.checksum_ok = true;  // no message written yet: nothing to disagree with
  } else {
    m.checksum_ok = message_checksum(m.message_sequence, m.data_size, m.data.data()) == m.checksum;
  }
}

void decode_mutex(Decoder& d, SnapshotMutex& m) {
  constexpr std::size_t o = kMutex;
  m.owner_pid = d.get<std::uint32_t>(o + offsetof(MutexArea, owner_pid));
  m.owner_tid = d.get<std::uint32_t>(o + offsetof(MutexArea, owner_tid));
  m.owner_role =
      d.enumerated(d.get<std::uint32_t>(o + offsetof(MutexArea, owner_role)), kMaxRole, Role::None,
                   "mutex.owner_role", "role", o + offsetof(MutexArea, owner_role), 4);
  m.waiters = d.get<std::uint32_t>(o + offsetof(MutexArea, waiters));
  m.owner_since_ns = d.get<std::uint64_t>(o + offsetof(MutexArea, owner_since_ns));
  m.lock_count = d.get<std::uint64_t>(o + offsetof(MutexArea, lock_count));
  m.contended_count = d.get<std::uint64_t>(o + offsetof(MutexArea, contended_count));
  m.total_hold_ns = d.get<std::uint64_t>(o + offsetof(MutexArea, total_hold_ns));
  m.owner_died_count = d.get<std::uint32_t>(o + offsetof(MutexArea, owner_died_count));
  m.last_dead_owner_pid = d.get<std::uint32_t>(o + offsetof(MutexArea, last_dead_owner_pid));
  m.last_owner_died_ns = d.get<std::uint64_t>(o + offsetof(MutexArea, last_owner_died_ns));
}

void decode_waiters(Decoder& d, std::array<SnapshotWaiter, kWaiterSlots>& waiters) {
  for (std::size_t i = 0; i < kWaiterSlots; ++i) {
    const std::size_t o = kWaiters + i * sizeof(WaiterSlot);
    const std::string name = "waiters[" + std::to_string(i) + "]";
    SnapshotWaiter& w = waiters[i];
    w.owner_tid = d.get<std::uint32_t>(o + offsetof(WaiterSlot, owner_tid));
    w.owner_pid = d.get<std::uint32_t>(o + offsetof(WaiterSlot, owner_pid));
    w.wait_mask = d.get<std::uint32_t>(o + offsetof(WaiterSlot, wait_mask));
    if ((w.wait_mask & ~kAllEvents) != 0) {
      d.problem(name + ".wait_mask",
                std::to_string(w.wait_mask) + " names events beyond the five (bits 0-4)",
                o + offsetof(WaiterSlot, wait_mask), 4);
      w.wait_mask &= kAllEvents;
    }
    w.since_ns = d.get<std::uint64_t>(o + offsetof(WaiterSlot, since_ns));
    w.owner_start_time = d.get<std::uint64_t>(o + offsetof(WaiterSlot, owner_start_time));
    w.owner_role = d.enumerated(d.get<std::uint32_t>(o + offsetof(WaiterSlot, owner_role)),
                                kMaxRole, Role::None, name + ".owner_role", "role",
                                o + offsetof(WaiterSlot, owner_role), 4);
  }
}

void decode_events(Decoder& d, std::array<SnapshotEvent, kEventCount>& events,
                   const std::array<SnapshotWaiter, kWaiterSlots>& waiters) {
  for (std::size_t i = 0; i < kEventCount; ++i) {
    const std::size_t o = kEvents + i * sizeof(EventState);
    const std::string name = "events[" + std::to_string(i) + "]";
    SnapshotEvent& e = events[i];
    std::uint32_t signalled = d.get<std::uint32_t>(o + offsetof(EventState, signalled));
    e.signalled = signalled == 1;
    if (signalled > 1) {
      d.problem(name + ".signalled", std::to_string(signalled) + " is neither 0 nor 1",
                o + offsetof(EventState, signalled), 4);
    }
    e.last_setter_pid = d.get<std::uint32_t>(o + offsetof(EventState, last_setter_pid));
    e.times_set = d.get<std::uint64_t>(o + offsetof(EventState, times_set));
    e.times_consumed = d.get<std::uint64_t>(o + offsetof(EventState, times_consumed));
    e.last_set_ns = d.get<std::uint64_t>(o + offsetof(EventState, last_set_ns));
    e.last_setter_role = d.enumerated(
        d.get<std::uint32_t>(o + offsetof(EventState, last_setter_role)), kMaxRole, Role::None,
        name + ".last_setter_role", "role", o + offsetof(EventState, last_setter_role), 4);
    e.last_consumer_pid = d.get<std::uint32_t>(o + offsetof(EventState, last_consumer_pid));
    e.last_consumed_ns = d.get<std::uint64_t>(o + offsetof(EventState, last_consumed_ns));
    const std::uint32_t bit = 1u << i;
    e.waiters = 0;
    for (const SnapshotWaiter& w : waiters) {
      if (w.in_use() && (w.wait_mask & bit) != 0) ++e.waiters;
    }
  }
}

void decode_participants(Decoder& d, std::array<SnapshotParticipant, kParticipantSlots>& slots) {
  for (std::size_t i = 0; i < kParticipantSlots; ++i) {
    const std::size_t o = kParticipants + i * sizeof(ParticipantSlot);
    const std::string name = "participants[" + std::to_string(i) + "]";
    SnapshotParticipant& p = slots[i];
    p.role =
        d.enumerated(d.get<std::uint32_t>(o + offsetof(ParticipantSlot, role)), kMaxRole,
                     Role::None, name + ".role", "role", o + offsetof(ParticipantSlot, role), 4);
    p.pid = d.get<std::uint32_t>(o + offsetof(ParticipantSlot, pid));
    p.start_time = d.get<std::uint64_t>(o + offsetof(ParticipantSlot, start_time));
    p.joined_ns = d.get<std::uint64_t>(o + offsetof(ParticipantSlot, joined_ns));
    p.heartbeat_ns = d.get<std::uint64_t>(o + offsetof(ParticipantSlot, heartbeat_ns));
    p.activity = d.enumerated(d.get<std::uint32_t>(o + offsetof(ParticipantSlot, activity)),
                              kMaxActivity, Activity::Idle, name + ".activity", "activity",
                              o + offsetof(ParticipantSlot, activity), 4);
    p.mode = d.enumerated(d.get<std::uint32_t>(o + offsetof(ParticipantSlot, mode)), kMaxMode,
                          PeerMode::Reliable, name + ".mode", "mode",
                          o + offsetof(ParticipantSlot, mode), 4);
    p.step_pending = d.enumerated(d.get<std::uint32_t>(o + offsetof(ParticipantSlot, step_pending)),
                                  kMaxJournalKind, JournalKind::None, name + ".step_pending",
                                  "journal kind", o + offsetof(ParticipantSlot, step_pending), 4);
    p.step_pending_arg = d.get<std::uint32_t>(o + offsetof(ParticipantSlot, step_pending_arg));
    p.step_grants = d.get<std::uint32_t>(o + offsetof(ParticipantSlot, step_grants));
    p.step_taken = d.get<std::uint32_t>(o + offsetof(ParticipantSlot, step_taken));
    p.cpu = d.get<std::uint32_t>(o + offsetof(ParticipantSlot, cpu));
    p.run_state = d.enumerated(d.get<std::uint32_t>(o + offsetof(ParticipantSlot, run_state)),
                               kMaxRunState, RunState::Running, name + ".run_state", "run state",
                               o + offsetof(ParticipantSlot, run_state), 4);
    p.alive = false;
  }
}

void decode_control(Decoder& d, Snapshot& s) {
  std::uint32_t step = d.get<std::uint32_t>(kControl + offsetof(ControlArea, step_mode));
  s.step_mode = step == 1;
  if (step > 1) {
    d.problem("control.step_mode", std::to_string(step) + " is neither 0 nor 1",
              kControl + offsetof(ControlArea, step_mode), 4);
  }
}

// An entry's versions must name a record that belongs in it (n % capacity == index) and that
// was claimed. The copy reads `next` before the entries, so appends during the copy may put
// versions somewhat ahead of it; only a lead no copy can explain is a problem.
void decode_journal(Decoder& d, Snapshot& s) {
  const std::size_t next_at = kJournal + offsetof(JournalRing, next);
  s.journal_next = d.get<std::uint64_t>(next_at);
  std::size_t reported = 0;
  std::uint64_t newest = 0;  // the highest version_head of any entry: the newest record written
  bool whole_ring = true;
  for (std::size_t i = 0; i < kJournalCapacity; ++i) {
    const std::size_t o = kJournalEntries + i * sizeof(JournalEntry);
    if (o + sizeof(JournalEntry) > d.raw().size()) {
      whole_ring = false;
      break;
    }
    newest = std::max(newest, d.get<std::uint64_t>(o + offsetof(JournalEntry, version_head)));
    if (reported >= kMaxJournalProblems) continue;
    for (std::size_t field :
         {offsetof(JournalEntry, version_head), offsetof(JournalEntry, version_tail)}) {
      std::uint64_t version = d.get<std::uint64_t>(o + field);
      if (version == 0) continue;
      auto name = [&] {
        return "journal.entries[" + std::to_string(i) + "]." +
               (field == 0 ? "version_head" : "version_tail");
      };
      if ((version - 1) % kJournalCapacity != i) {
        d.problem(name(),
                  std::to_string(version) + " names record " + std::to_string(version - 1) +
                      ", which does not belong in entry " + std::to_string(i),
                  o + field, 8);
        ++reported;
        break;
      }
      if (version > s.journal_next + kJournalCapacity) {
        d.problem(name(),
                  std::to_string(version) + " is beyond journal.next (" +
                      std::to_string(s.journal_next) + ")",
                  o + field, 8);
        ++reported;
        break;
      }
    }
  }
  // `next` counts records claimed; each claimed record is written within microseconds, so
  // more than a lap of claims with nothing written is no appender's doing, only garbage.
  if (whole_ring && s.journal_next > newest && s.journal_next - newest > kJournalCapacity) {
    d.problem("journal.next",
              std::to_string(s.journal_next) + " is more than a lap (" +
                  std::to_string(kJournalCapacity) + ") ahead of the newest record written (" +
                  std::to_string(newest) + ")",
              next_at, 8);
  }
}

}  // namespace

std::uint32_t message_checksum(std::uint64_t sequence, std::uint32_t data_size,
                               const char* data) noexcept {
  unsigned char prefix[12];
  for (int i = 0; i < 8; ++i) prefix[i] = static_cast<unsigned char>(sequence >> (8 * i));
  for (int i = 0; i < 4; ++i) prefix[8 + i] = static_cast<unsigned char>(data_size >> (8 * i));
  // zlib's crc32 is the same CRC-32 as Boost.CRC's crc_32_type but about eight times faster
  // (braided tables), and it runs twice per message on the hot path.
  uLong crc = ::crc32(0L, prefix, sizeof prefix);
  if (data_size > 0 && data != nullptr) {
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(data), data_size);
  }
  return static_cast<std::uint32_t>(crc);
}

Snapshot decode_snapshot(std::span<const std::byte> raw) {
  return decode_snapshot(std::vector<std::byte>(raw.begin(), raw.end()));
}

Snapshot decode_snapshot(std::vector<std::byte>&& bytes) {
  Snapshot s;
  s.raw = std::move(bytes);
  const std::span<const std::byte> raw(s.raw);
  Decoder d(raw, s.problems);
  if (raw.size() < sizeof(Block)) {
    d.problem("block",
              "the copy has " + std::to_string(raw.size()) + " of " +
                  std::to_string(sizeof(Block)) + " bytes (the segment was truncated)",
              raw.size(), sizeof(Block) - raw.size());
  } else if (raw.size() > sizeof(Block)) {
    d.problem("block",
              "the copy has " + std::to_string(raw.size()) + " bytes; a block has " +
                  std::to_string(sizeof(Block)),
              sizeof(Block), raw.size() - sizeof(Block));
  }
  decode_header(d, s.header);
  decode_message(d, s.message);
  decode_mutex(d, s.mutex);
  decode_waiters(d, s.waiters);
  decode_events(d, s.events, s.waiters);
  decode_participants(d, s.participants);
  decode_control(d, s);
  decode_journal(d, s);
  return s;
}

}  // namespace shmipc
