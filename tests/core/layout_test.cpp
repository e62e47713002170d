// The byte layout of docs/PROTOCOL.md, checked against the compiled Block: an independent
// reader built from the document must find every field where the document says.
#include <doctest/doctest.h>

#include <cstring>
#include <type_traits>

#include "anonymous_block.hpp"
#include "shmipc/block.hpp"
#include "shmipc/journal.hpp"

using namespace shmipc;

namespace {
template <typename Field>
std::size_t at(const Block& b, const Field& field) {
  return static_cast<std::size_t>(reinterpret_cast<const char*>(&field) -
                                  reinterpret_cast<const char*>(&b));
}
}  // namespace

TEST_CASE("the block is standard-layout, pointer-free and exactly 134336 bytes") {
  CHECK(std::is_standard_layout_v<Block>);
  CHECK(sizeof(Block) == 134336);
  CHECK(sizeof(BlockHeader) == 64);
  CHECK(sizeof(MessageArea) == 1088);
  CHECK(sizeof(MutexArea) == 128);
  CHECK(sizeof(EventState) == 64);
  CHECK(sizeof(WaiterSlot) == 64);
  CHECK(sizeof(ParticipantSlot) == 64);
  CHECK(sizeof(ControlArea) == 64);
  CHECK(sizeof(JournalEntry) == 64);
  CHECK(sizeof(pthread_mutex_t) == 40);
}

TEST_CASE("the magic number is the bytes SHMSCOPE in memory order") {
  char bytes[8];
  std::memcpy(bytes, &kBlockMagic, 8);
  CHECK(std::string(bytes, 8) == "SHMSCOPE");
  CHECK(kInitReady == 0x52454459u);
}

TEST_CASE("header and message area fields sit at the documented offsets") {
  shmtest::AnonymousBlock owner;
  const Block& b = *owner;
  CHECK(at(b, b.header.magic) == 0);
  CHECK(at(b, b.header.layout_version) == 8);
  CHECK(at(b, b.header.block_size) == 12);
  CHECK(at(b, b.header.creator_uid) == 16);
  CHECK(at(b, b.header.creator_pid) == 20);
  CHECK(at(b, b.header.created_realtime_ns) == 24);
  CHECK(at(b, b.header.created_monotonic_ns) == 32);
  CHECK(at(b, b.header.init_state) == 40);
  CHECK(at(b, b.header.session_epoch) == 44);
  CHECK(at(b, b.header.reserved) == 48);

  CHECK(at(b, b.message.version_head) == 64);
  CHECK(at(b, b.message.process_id) == 72);
  CHECK(at(b, b.message.child_ack) == 76);
  CHECK(at(b, b.message.data_size) == 80);
  CHECK(at(b, b.message.checksum) == 84);
  CHECK(at(b, b.message.message_sequence) == 88);
  CHECK(at(b, b.message.writer_pid) == 96);
  CHECK(at(b, b.message.message_flags) == 100);
  CHECK(at(b, b.message.message_read_sequence) == 104);
  CHECK(at(b, b.message.command) == 112);
  CHECK(at(b, b.message.command_arg) == 116);
  CHECK(at(b, b.message.command_sequence) == 120);
  CHECK(at(b, b.message.data) == 128);
  CHECK(sizeof(b.message.data) == 1000);
  CHECK(at(b, b.message.ack_pid) == 1128);
  CHECK(at(b, b.message.pad) == 1132);
  CHECK(at(b, b.message.version_tail) == 1144);
}

TEST_CASE("mutex area fields sit at the documented offsets") {
  shmtest::AnonymousBlock owner;
  const Block& b = *owner;
  CHECK(at(b, b.mutex.mutex) == 1152);
  CHECK(at(b, b.mutex.owner_pid) == 1216);
  CHECK(at(b, b.mutex.owner_tid) == 1220);
  CHECK(at(b, b.mutex.owner_role) == 1224);
  CHECK(at(b, b.mutex.waiters) == 1228);
  CHECK(at(b, b.mutex.owner_since_ns) == 1232);
  CHECK(at(b, b.mutex.lock_count) == 1240);
  CHECK(at(b, b.mutex.contended_count) == 1248);
  CHECK(at(b, b.mutex.total_hold_ns) == 1256);
  CHECK(at(b, b.mutex.owner_died_count) == 1264);
  CHECK(at(b, b.mutex.last_dead_owner_pid) == 1268);
  CHECK(at(b, b.mutex.last_owner_died_ns) == 1272);
}

TEST_CASE("each event and waiter slot sits at its documented offset") {
  shmtest::AnonymousBlock owner;
  const Block& b = *owner;
  for (std::size_t i = 0; i < kEventCount; ++i) {
    CAPTURE(i);
    const EventState& e = b.events[i];
    std::size_t base = 1280 + 64 * i;
    CHECK(at(b, e.signalled) == base + 0);
    CHECK(at(b, e.last_setter_pid) == base + 4);
    CHECK(at(b, e.times_set) == base + 8);
    CHECK(at(b, e.times_consumed) == base + 16);
    CHECK(at(b, e.last_set_ns) == base + 24);
    CHECK(at(b, e.last_setter_role) == base + 32);
    CHECK(at(b, e.last_consumer_pid) == base + 36);
    CHECK(at(b, e.last_consumed_ns) == base + 40);
    CHECK(at(b, e.reserved) == base + 48);
  }
  for (std::size_t i = 0; i < kWaiterSlots; ++i) {
    CAPTURE(i);
    const WaiterSlot& w = b.waiters[i];
    std::size_t base = 1600 + 64 * i;
    CHECK(at(b, w.owner_tid) == base + 0);
    CHECK(at(b, w.owner_pid) == base + 4);
    CHECK(at(b, w.wait_mask) == base + 8);
    CHECK(at(b, w.wake_seq) == base + 12);
    CHECK(at(b, w.since_ns) == base + 16);
    CHECK(at(b, w.owner_start_time) == base + 24);
    CHECK(at(b, w.owner_role) == base + 32);
  }
  CHECK(static_cast<std::uint32_t>(EventId::ChildAcknowledge) == 0);
  CHECK(static_cast<std::uint32_t>(EventId::SendMessage) == 1);
  CHECK(static_cast<std::uint32_t>(EventId::ReceiveMessage) == 2);
  CHECK(static_cast<std::uint32_t>(EventId::SendCommand) == 3);
  CHECK(static_cast<std::uint32_t>(EventId::ReceiveCommand) == 4);
}

TEST_CASE("participant slots, control and journal sit at the documented offsets") {
  shmtest::AnonymousBlock owner;
  const Block& b = *owner;
  for (std::size_t i = 0; i < kParticipantSlots; ++i) {
    CAPTURE(i);
    const ParticipantSlot& p = b.participants[i];
    std::size_t base = 2624 + 64 * i;
    CHECK(at(b, p.role) == base + 0);
    CHECK(at(b, p.pid) == base + 4);
    CHECK(at(b, p.start_time) == base + 8);
    CHECK(at(b, p.joined_ns) == base + 16);
    CHECK(at(b, p.heartbeat_ns) == base + 24);
    CHECK(at(b, p.activity) == base + 32);
    CHECK(at(b, p.mode) == base + 36);
    CHECK(at(b, p.step_pending) == base + 40);
    CHECK(at(b, p.step_grants) == base + 44);
    CHECK(at(b, p.step_taken) == base + 48);
    CHECK(at(b, p.step_pending_arg) == base + 52);
    CHECK(at(b, p.cpu) == base + 56);
    CHECK(at(b, p.run_state) == base + 60);
  }
  CHECK(static_cast<std::uint32_t>(Activity::SpinningEvent) == 5);
  CHECK(static_cast<std::uint32_t>(Activity::SpinningMutex) == 6);
  CHECK(static_cast<std::uint32_t>(RunState::Running) == 0);
  CHECK(static_cast<std::uint32_t>(RunState::Spinning) == 1);
  CHECK(static_cast<std::uint32_t>(RunState::Blocked) == 2);
  CHECK(at(b, b.control.step_mode) == 3136);
  CHECK(at(b, b.control.control_seq) == 3140);
  CHECK(at(b, b.journal.next) == 3200);
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, kJournalCapacity - 1}) {
    CAPTURE(n);
    const JournalEntry& e = b.journal.entries[n];
    std::size_t base = 3264 + 64 * n;
    CHECK(at(b, e.version_head) == base + 0);
    CHECK(at(b, e.words) == base + 8);
    CHECK(at(b, e.version_tail) == base + 56);
  }
}

TEST_CASE("an appended journal record's bytes sit at the documented offsets of its entry") {
  shmtest::AnonymousBlock owner;
  Actor who = owner.actor(Role::Child);
  who.injected = true;
  for (int i = 0; i < 5; ++i) journal_append(who, JournalKind::Note);
  std::uint64_t n = journal_append(who, JournalKind::MessageWritten, 0xA1B2C3D4u,
                                   0x1122334455667788ull, "preview-bytes-16-and-more");
  REQUIRE(n == 5);

  const auto* raw = reinterpret_cast<const unsigned char*>(owner.get());
  const unsigned char* entry = raw + 3264 + 64 * n;
  auto u64 = [](const unsigned char* p) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  };
  auto u32 = [](const unsigned char* p) {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
  };
  CHECK(u64(raw + 3200) == 6);  // next
  CHECK(u64(entry + 0) == n + 1);
  CHECK(u64(entry + 8) != 0);  // t_ns
  CHECK(u32(entry + 16) == who.pid);
  CHECK(u32(entry + 20) != 0);  // tid
  std::uint16_t kind;
  std::memcpy(&kind, entry + 24, 2);
  CHECK(kind == 13);
  CHECK(entry[26] == static_cast<unsigned char>(Role::Child));
  CHECK(entry[27] == kJournalFlagInjected);
  CHECK(u32(entry + 28) == 0xA1B2C3D4u);
  CHECK(u64(entry + 32) == 0x1122334455667788ull);
  CHECK(std::string(reinterpret_cast<const char*>(entry + 40), 16) == "preview-bytes-16");
  CHECK(u64(entry + 56) == n + 1);
}

TEST_CASE("journal kind values are the documented numbers") {
  CHECK(static_cast<int>(JournalKind::SessionCreated) == 1);
  CHECK(static_cast<int>(JournalKind::LockRequested) == 6);
  CHECK(static_cast<int>(JournalKind::OwnerDied) == 9);
  CHECK(static_cast<int>(JournalKind::EventSet) == 10);
  CHECK(static_cast<int>(JournalKind::TornWrite) == 19);
  CHECK(static_cast<int>(JournalKind::StepPending) == 22);
  CHECK(static_cast<int>(JournalKind::Note) == 25);
  CHECK(journal_kind_name(JournalKind::EventConsumed) == "EventConsumed");
  CHECK(journal_kind_name(static_cast<JournalKind>(999)) == "Unknown");
  CHECK(event_name(EventId::ReceiveCommand) == "ReceiveCommand");
  CHECK(role_name(Role::Observer) == "observer");
  CHECK(command_name(Command::KillApp) == "KILL_APP");
}
