// The journal ring: order, concurrent appenders, loss accounting, and decoding of untrusted
// byte copies.
#include <doctest/doctest.h>

#include <chrono>
#include <cstring>
#include <random>
#include <vector>

#include "anonymous_block.hpp"
#include "shmipc/clock.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/process_identity.hpp"
#include "test_process.hpp"

using namespace shmipc;
using namespace std::chrono_literals;

namespace {

std::vector<std::byte> copy_bytes(const Block& b) {
  std::vector<std::byte> raw(sizeof(Block));
  std::memcpy(raw.data(), &b, sizeof(Block));
  return raw;
}

void check_same(const JournalRead& a, const JournalRead& b) {
  CHECK(a.next == b.next);
  CHECK(a.lost == b.lost);
  REQUIRE(a.items.size() == b.items.size());
  for (std::size_t i = 0; i < a.items.size(); ++i) {
    CAPTURE(i);
    CHECK(a.items[i].seq == b.items[i].seq);
    CHECK(std::memcmp(&a.items[i].record, &b.items[i].record, sizeof(JournalRecord)) == 0);
  }
}

}  // namespace

TEST_CASE("journal records come back in order with their kinds, arguments and previews") {
  shmtest::AnonymousBlock block;
  Actor who = block.actor(Role::Parent);
  const JournalKind kinds[] = {JournalKind::Join, JournalKind::LockRequested,
                               JournalKind::LockAcquired, JournalKind::MessageWritten,
                               JournalKind::LockReleased};
  for (std::uint32_t i = 0; i < 5; ++i) {
    CHECK(journal_append(who, kinds[i], 100 + i, 1000 + i, i == 3 ? "hello" : "") == i);
  }
  journal_append(who, JournalKind::Note, 0, 0, "a preview longer than sixteen bytes");

  JournalRead r = journal_read(*block, 0);
  CHECK(r.lost == 0);
  CHECK(r.next == 6);
  REQUIRE(r.items.size() == 6);
  std::uint64_t previous_t = 0;
  for (std::uint32_t i = 0; i < 5; ++i) {
    CAPTURE(i);
    const JournalItem& item = r.items[i];
    CHECK(item.seq == i);
    CHECK(item.record.kind == static_cast<std::uint16_t>(kinds[i]));
    CHECK(item.record.arg == 100 + i);
    CHECK(item.record.value == 1000 + i);
    CHECK(item.record.pid == who.pid);
    CHECK(item.record.tid == current_tid());
    CHECK(item.record.role == static_cast<std::uint8_t>(Role::Parent));
    CHECK(item.record.flags == 0);
    CHECK(item.record.t_ns >= previous_t);
    previous_t = item.record.t_ns;
  }
  CHECK(std::string(r.items[3].record.preview, 5) == "hello");
  CHECK(r.items[3].record.preview[5] == '\0');
  CHECK(std::string(r.items[5].record.preview, kPreviewBytes) == "a preview longer");

  JournalRead tail = journal_read(*block, 4);
  CHECK(tail.lost == 0);
  REQUIRE(tail.items.size() == 2);
  CHECK(tail.items[0].seq == 4);

  JournalRead none = journal_read(*block, 6);
  CHECK(none.items.empty());
  CHECK(none.next == 6);
}

TEST_CASE("many concurrent appending processes lose nothing below capacity") {
  shmtest::Watchdog watchdog(60s, "concurrent journal appenders");
  shmtest::AnonymousBlock block;
  constexpr std::uint32_t kProcesses = 8;
  constexpr std::uint32_t kEach = 250;  // 2000 records < 2048
  static_assert(kProcesses * kEach < kJournalCapacity);
  std::vector<shmtest::ChildProcess> children;
  for (std::uint32_t p = 0; p < kProcesses; ++p) {
    children.push_back(shmtest::ChildProcess::fork([&block, p] {
      Actor who = block.actor(Role::Tool);
      for (std::uint32_t i = 0; i < kEach; ++i) journal_append(who, JournalKind::Note, p, i);
      return 0;
    }));
  }
  for (auto& c : children) REQUIRE(c.wait_for(30s) == 0);

  JournalRead r = journal_read(*block, 0);
  CHECK(r.lost == 0);
  CHECK(r.next == kProcesses * kEach);
  REQUIRE(r.items.size() == kProcesses * kEach);
  std::vector<std::uint64_t> next_value(kProcesses, 0);
  for (const JournalItem& item : r.items) {
    REQUIRE(item.record.arg < kProcesses);
    // Each process appends in program order, so its values appear in order too.
    CHECK(item.record.value == next_value[item.record.arg]);
    next_value[item.record.arg] = item.record.value + 1;
  }
  for (std::uint32_t p = 0; p < kProcesses; ++p) CHECK(next_value[p] == kEach);
}

TEST_CASE("a reader that falls behind by more than the capacity is told how many were lost") {
  shmtest::AnonymousBlock block;
  Actor who = block.actor(Role::Child);
  for (int i = 0; i < 100; ++i) journal_append(who, JournalKind::Note, 0, i);
  JournalRead first = journal_read(*block, 0);
  REQUIRE(first.next == 100);
  for (int i = 100; i < 3100; ++i) journal_append(who, JournalKind::Note, 0, i);

  JournalRead r = journal_read(*block, first.next);
  CHECK(r.next == 3100);
  CHECK(r.lost == 3100 - kJournalCapacity - 100);
  REQUIRE(r.items.size() == kJournalCapacity);
  CHECK(r.items.front().seq == 3100 - kJournalCapacity);
  CHECK(r.items.front().record.value == 3100 - kJournalCapacity);
  CHECK(r.items.back().seq == 3099);
  CHECK(r.items.back().record.value == 3099);
}

TEST_CASE("a record claimed but not yet written holds the reader back until it is abandoned") {
  shmtest::AnonymousBlock block;
  Actor who = block.actor(Role::Parent);
  journal_append(who, JournalKind::Note, 0, 0);
  // A writer that claimed record 1 and has not written it (yet, or ever: it died).
  block->journal.next.fetch_add(1);
  journal_append(who, JournalKind::Note, 0, 2);

  JournalRead r = journal_read(*block, 0);
  CHECK(r.lost == 0);
  CHECK(r.next == 1);  // retry from the unfinished record
  REQUIRE(r.items.size() == 1);

  // Once a record claimed after it is old, the unfinished one counts as lost.
  JournalEntry& later = block->journal.entries[2];
  later.words[0].store(monotonic_ns() - 5'000'000'000ull);
  JournalRead again = journal_read(*block, r.next);
  CHECK(again.lost == 1);
  CHECK(again.next == 3);
  REQUIRE(again.items.size() == 1);
  CHECK(again.items[0].seq == 2);
}

TEST_CASE("journal_decode on a byte copy equals journal_read on the live block") {
  shmtest::AnonymousBlock block;
  Actor who = block.actor(Role::Observer);
  for (int i = 0; i < 3000; ++i) {
    journal_append(who, static_cast<JournalKind>(1 + i % 25), i, i * 7ull, "copy");
  }
  std::vector<std::byte> raw = copy_bytes(*block);
  for (std::uint64_t from : {0ull, 500ull, 1000ull, 1500ull, 2999ull, 3000ull, 5000ull}) {
    CAPTURE(from);
    check_same(journal_decode(raw, from), journal_read(*block, from));
  }
}

TEST_CASE("journal_decode on garbage bytes never reads outside the copy and reports loss") {
  std::mt19937_64 random(12345);
  std::vector<std::byte> raw(sizeof(Block));
  for (int round = 0; round < 50; ++round) {
    for (auto& b : raw) b = static_cast<std::byte>(random());
    std::uint64_t from = round % 2 == 0 ? 0 : random();
    JournalRead r = journal_decode(raw, from);
    CHECK(r.items.size() <= kJournalCapacity);
    if (from <= r.next) {
      CHECK(r.lost + r.items.size() <= r.next - from);
    }
  }

  // A plausible counter over garbage entries: every record is reported lost, none invented.
  for (auto& b : raw) b = static_cast<std::byte>(random());
  std::uint64_t next = 500;
  std::memcpy(raw.data() + 3200, &next, sizeof next);
  JournalRead r = journal_decode(raw, 0);
  CHECK(r.items.empty());
  CHECK(r.lost == 500);
  CHECK(r.next == 500);

  // Counters near the top of the range must not overflow into nonsense.
  next = ~0ull;
  std::memcpy(raw.data() + 3200, &next, sizeof next);
  r = journal_decode(raw, 0);
  CHECK(r.items.empty());
  CHECK(r.lost >= ~0ull - kJournalCapacity);

  // Short copies: only what is inside the span is read.
  shmtest::AnonymousBlock block;
  Actor who = block.actor(Role::Parent);
  for (int i = 0; i < 40; ++i) journal_append(who, JournalKind::Note, 0, i);
  std::vector<std::byte> good = copy_bytes(*block);
  for (std::size_t size : {std::size_t{0}, std::size_t{100}, std::size_t{3207}, std::size_t{3208},
                           std::size_t{3264 + 64 * 10 + 63}, std::size_t{3264 + 64 * 40}}) {
    CAPTURE(size);
    std::vector<std::byte> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(size));
    JournalRead part = journal_decode(cut, 0);
    if (size < 3208) {
      CHECK(part.items.empty());
      CHECK(part.lost == 0);
    } else {
      std::size_t whole_entries = size < 3264 ? 0 : (size - 3264) / 64;
      CHECK(part.items.size() == std::min<std::size_t>(whole_entries, 40));
      CHECK(part.items.size() + part.lost == 40);
    }
  }
}
