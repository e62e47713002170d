// decode_snapshot on hand-made byte blocks, and the consistency of observer copies while a
// writer runs flat out (docs/PROTOCOL.md, "Versioned write" and "Observing").
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "shmipc/block.hpp"
#include "shmipc/message_area.hpp"
#include "shmipc/observer.hpp"
#include "shmipc/robust_mutex.hpp"
#include "shmipc/session.hpp"
#include "shmipc/snapshot.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;
using shmipc::Block;
using shmipc::Snapshot;

namespace {

constexpr std::size_t kMsg = 64;
constexpr std::size_t kDataSizeAt = kMsg + 16;
constexpr std::size_t kChecksumAt = kMsg + 20;
constexpr std::size_t kSequenceAt = kMsg + 24;
constexpr std::size_t kCommandAt = kMsg + 48;
constexpr std::size_t kDataAt = kMsg + 64;
constexpr std::size_t kTailAt = kMsg + 1080;

// A block as bytes, written at the documented offsets (not through the C++ struct).
struct RawBlock {
  std::vector<std::byte> bytes = std::vector<std::byte>(sizeof(Block));
  template <typename T>
  void put(std::size_t offset, T value) {
    REQUIRE(offset + sizeof value <= bytes.size());
    std::memcpy(bytes.data() + offset, &value, sizeof value);
  }
  void put_text(std::size_t offset, const std::string& s) {
    std::memcpy(bytes.data() + offset, s.data(), s.size());
  }
  // A healthy block holding message 1, "hello", written by version 3.
  static RawBlock good() {
    RawBlock b;
    b.put<std::uint64_t>(0, shmipc::kBlockMagic);
    b.put<std::uint32_t>(8, shmipc::kLayoutVersion);
    b.put<std::uint32_t>(12, static_cast<std::uint32_t>(sizeof(Block)));
    b.put<std::uint32_t>(40, shmipc::kInitReady);
    b.put<std::uint64_t>(kMsg, 3);
    b.put<std::uint64_t>(kTailAt, 3);
    b.put<std::uint32_t>(kMsg + 8, 4242);  // process_id
    b.put<std::uint32_t>(kMsg + 12, 1);    // child_ack
    b.put<std::uint32_t>(kDataSizeAt, 5);
    b.put<std::uint64_t>(kSequenceAt, 1);
    b.put_text(kDataAt, "hello");
    b.put<std::uint32_t>(kChecksumAt, 0xf4ec2e2a);  // zlib.crc32 of the covered bytes
    return b;
  }
  Snapshot decode() const { return shmipc::decode_snapshot(bytes); }
};

const shmipc::FieldProblem* find_problem(const Snapshot& s, const std::string& field) {
  for (const auto& p : s.problems) {
    if (p.field == field) return &p;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("the message checksum is CRC-32 (zlib) over sequence, size and data") {
  CHECK(shmipc::message_checksum(1, 5, "hello") == 0xf4ec2e2au);
  CHECK(shmipc::message_checksum(0, 0, nullptr) == 0x7bd5c66fu);
  CHECK(shmipc::message_checksum(2, 5, "hello") != 0xf4ec2e2au);
}

TEST_CASE("a good block decodes with no problems and every field in place") {
  Snapshot s = RawBlock::good().decode();
  CHECK(s.problems.empty());
  CHECK(s.header.ready);
  CHECK(s.message.consistent);
  CHECK(s.message.process_id == 4242);
  CHECK(s.message.child_ack);
  CHECK(s.message.data_size == 5);
  CHECK(s.message.data_size_valid);
  CHECK(s.message.checksum_ok);
  CHECK(std::string(s.message.data.data(), s.message.data_size) == "hello");
  CHECK(s.raw.size() == sizeof(Block));
}

TEST_CASE("a data_size over capacity is a problem naming the field and is never used as a size") {
  for (std::uint32_t size : {1001u, 1200u, 0xffffffffu}) {
    RawBlock b = RawBlock::good();
    b.put<std::uint32_t>(kDataSizeAt, size);
    Snapshot s = b.decode();
    const auto* p = find_problem(s, "message.data_size");
    REQUIRE(p);
    CHECK(p->problem == std::to_string(size) + " exceeds the capacity of 1000");
    CHECK(p->offset == kDataSizeAt);
    CHECK(s.message.data_size_raw == size);
    CHECK(s.message.data_size == 0);
    CHECK_FALSE(s.message.data_size_valid);
    CHECK_FALSE(s.message.checksum_ok);
    CHECK(s.corrupt());
  }
}

TEST_CASE("a bad magic, version or block size is named as a problem") {
  RawBlock b = RawBlock::good();
  b.put<std::uint64_t>(0, 0x1122334455667788ULL);
  b.put<std::uint32_t>(8, 9);
  b.put<std::uint32_t>(12, 77);
  Snapshot s = b.decode();
  REQUIRE(find_problem(s, "header.magic"));
  CHECK(find_problem(s, "header.magic")->problem.find("0x1122334455667788") != std::string::npos);
  CHECK(find_problem(s, "header.layout_version"));
  CHECK(find_problem(s, "header.block_size"));
}

TEST_CASE("a truncated copy is a problem and nothing is read beyond it") {
  RawBlock full = RawBlock::good();
  for (std::size_t size : {std::size_t{0}, std::size_t{10}, std::size_t{84}, std::size_t{100},
                           std::size_t{2000}, sizeof(Block) - 1}) {
    // An exactly sized heap buffer, so a read past it is caught by ASan.
    std::vector<std::byte> cut(full.bytes.begin(), full.bytes.begin() + static_cast<long>(size));
    Snapshot s = shmipc::decode_snapshot(cut);
    const auto* p = find_problem(s, "block");
    REQUIRE(p);
    CHECK(p->problem.find("truncated") != std::string::npos);
    CHECK(s.raw.size() == size);
    CHECK(s.message.data_size <= shmipc::kDataCapacity);
  }
}

TEST_CASE("unknown enum values are problems naming the field, decoded as the neutral value") {
  RawBlock b = RawBlock::good();
  const std::size_t slot2 = 2624 + 2 * 64;
  b.put<std::uint32_t>(slot2 + 0, 9);     // role
  b.put<std::uint32_t>(slot2 + 32, 17);   // activity
  b.put<std::uint32_t>(slot2 + 36, 5);    // mode
  b.put<std::uint32_t>(slot2 + 40, 999);  // step_pending
  b.put<std::uint32_t>(kCommandAt, 7);
  b.put<std::uint32_t>(kMsg + 12, 2);  // child_ack
  Snapshot s = b.decode();
  CHECK(find_problem(s, "participants[2].role"));
  CHECK(s.participants[2].role == shmipc::Role::None);
  CHECK(find_problem(s, "participants[2].activity"));
  CHECK(find_problem(s, "participants[2].mode"));
  CHECK(find_problem(s, "participants[2].step_pending"));
  REQUIRE(find_problem(s, "message.command"));
  CHECK(find_problem(s, "message.command")->problem == "7 is not a known command (0-2)");
  CHECK(s.message.command == shmipc::Command::None);
  CHECK(s.message.command_raw == 7);
  CHECK(find_problem(s, "message.child_ack"));
}

TEST_CASE("a data byte changed behind the checksum is detected") {
  RawBlock b = RawBlock::good();
  b.put_text(kDataAt, "jello");
  Snapshot s = b.decode();
  CHECK_FALSE(s.message.checksum_ok);
  CHECK(s.message.consistent);  // versions agree: only the checksum can tell
}

TEST_CASE("unequal versions decode as not consistent") {
  RawBlock b = RawBlock::good();
  b.put<std::uint64_t>(kTailAt, 4);
  CHECK_FALSE(b.decode().message.consistent);
}

TEST_CASE("an event's waiters are the in-use waiter slots whose mask has it") {
  RawBlock b = RawBlock::good();
  b.put<std::uint32_t>(1600 + 0 * 64 + 0, 111);  // owner_tid
  b.put<std::uint32_t>(1600 + 0 * 64 + 8, 0b00110);
  b.put<std::uint32_t>(1600 + 3 * 64 + 0, 0);  // free slot: its mask does not count
  b.put<std::uint32_t>(1600 + 3 * 64 + 8, 0b00010);
  b.put<std::uint32_t>(1600 + 5 * 64 + 0, 222);
  b.put<std::uint32_t>(1600 + 5 * 64 + 8, 0b00010);
  Snapshot s = b.decode();
  CHECK(s.events[0].waiters == 0);
  CHECK(s.events[1].waiters == 2);
  CHECK(s.events[2].waiters == 1);
  CHECK(s.problems.empty());
}

TEST_CASE("a journal entry holding a record that does not belong there is a problem") {
  RawBlock b = RawBlock::good();
  b.put<std::uint64_t>(3200, 10);                       // next
  b.put<std::uint64_t>(3264 + 5 * 64, 7);               // version_head names record 6, not 5
  b.put<std::uint64_t>(3264 + 6 * 64, 7 + 2048 * 100);  // belongs there, but far ahead
  b.put<std::uint64_t>(3264 + 7 * 64, 8 + 2048 * 1);    // ahead by less than a lap: a copy race
  Snapshot s = b.decode();
  CHECK(s.journal_next == 10);
  const auto* misplaced = find_problem(s, "journal.entries[5].version_head");
  REQUIRE(misplaced);
  CHECK(misplaced->problem == "7 names record 6, which does not belong in entry 5");
  const auto* ahead = find_problem(s, "journal.entries[6].version_head");
  REQUIRE(ahead);
  CHECK(ahead->problem.find("is beyond journal.next (10)") != std::string::npos);
  CHECK(find_problem(s, "journal.entries[7].version_head") == nullptr);
}

TEST_CASE("snapshots taken while a writer runs flat out are never torn") {
  shmtest::Watchdog dog(90s);
  shmipc::SessionOptions o;
  o.name = shmtest::unique_session_name("snap-torn");
  auto session = shmipc::Session::join(o);
  shmipc::Block& block = session->block();
  auto writer = shmtest::ChildProcess::fork([&]() -> int {
    shmipc::Actor me{&block, shmipc::Role::Child, static_cast<std::uint32_t>(::getpid()), -1};
    shmipc::RobustMutex mutex(me);
    char fill[shmipc::kDataCapacity];
    for (std::uint64_t seq = 1;; ++seq) {
      const auto size = static_cast<std::uint32_t>(1 + seq % shmipc::kDataCapacity);
      std::memset(fill, 'a' + static_cast<int>(seq % 26), sizeof fill);
      mutex.lock();
      {
        shmipc::VersionedWrite write(block.message);
        std::memcpy(block.message.data, fill, size);
        block.message.data_size.store(size, std::memory_order_relaxed);
        block.message.message_sequence.store(seq, std::memory_order_relaxed);
        block.message.checksum.store(shmipc::message_checksum(seq, size, fill),
                                     std::memory_order_relaxed);
      }
      mutex.unlock();
    }
  });
  auto observer = shmipc::Observer::open(o.name);
  REQUIRE(shmtest::eventually([&] { return block.message.message_sequence.load() > 10; }, 10s));
  int consistent = 0;
  int taken = 0;
  std::set<std::uint64_t> sequences;
  // At least 5000 snapshots, and enough of them that the writer visibly ran meanwhile (on a
  // busy machine it may be scheduled out for a while).
  for (; taken < 200000 && (taken < 5000 || sequences.size() < 500); ++taken) {
    Snapshot s = observer->snapshot();
    if (!s.message.consistent) continue;
    ++consistent;
    const auto& m = s.message;
    sequences.insert(m.message_sequence);
    if (m.message_sequence == 0) continue;
    REQUIRE(m.data_size_valid);
    REQUIRE(m.checksum_ok);
    REQUIRE(m.data_size == 1 + m.message_sequence % shmipc::kDataCapacity);
    const char expected = static_cast<char>('a' + m.message_sequence % 26);
    REQUIRE(std::all_of(m.data.begin(), m.data.begin() + m.data_size,
                        [&](char c) { return c == expected; }));
  }
  writer.kill(SIGKILL);
  writer.wait_for(10s);
  INFO("snapshots: " << taken << ", consistent: " << consistent
                     << ", distinct sequences: " << sequences.size());
  // How often a copy lands between two writes depends on scheduling; what must hold is that
  // consistent copies do come, and (above) that none of them is torn.
  CHECK(consistent >= 100);
  CHECK(sequences.size() >= 500);  // the writer really ran during the snapshots
}
