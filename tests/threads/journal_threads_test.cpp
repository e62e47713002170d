// The journal ring with appending threads and a reading thread on one anonymous block: what
// the reader gets is intact and in order, and what it misses is counted, never invented.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "../core/anonymous_block.hpp"
#include "shmipc/journal.hpp"
#include "test_process.hpp"

using namespace shmipc;
using namespace std::chrono_literals;

namespace {

// Record i of appender t: every field derived from (t, i), so a torn or mixed record shows.
std::string preview_of(std::uint32_t t, std::uint64_t i) {
  return "t" + std::to_string(t) + "#" + std::to_string(i);
}

// `pace`: yield after each record, so that a reader interleaves with the appenders even when
// there are fewer cores than threads.
void append_all(const shmtest::AnonymousBlock& block, std::uint32_t t, std::uint64_t count,
                bool pace) {
  Actor who = block.actor(Role::Observer);
  for (std::uint64_t i = 0; i < count; ++i) {
    journal_append(who, JournalKind::Note, t, (std::uint64_t{t} << 32) | i, preview_of(t, i));
    if (pace) std::this_thread::yield();
  }
}

struct Reader {
  std::uint64_t read = 0;
  std::uint64_t lost = 0;
  std::vector<std::int64_t> last_of;  // per appender, the last i read (-1 none)
  std::uint64_t next = 0;
  std::uint64_t previous_seq = 0;
  bool any = false;

  explicit Reader(std::size_t appenders) : last_of(appenders, -1) {}

  void take(const JournalRead& r) {
    lost += r.lost;
    next = r.next;
    for (const JournalItem& item : r.items) {
      ++read;
      if (any) REQUIRE(item.seq > previous_seq);
      previous_seq = item.seq;
      any = true;
      const JournalRecord& rec = item.record;
      REQUIRE(rec.kind == static_cast<std::uint16_t>(JournalKind::Note));
      const std::uint32_t t = rec.arg;
      REQUIRE(t < last_of.size());
      REQUIRE((rec.value >> 32) == t);
      const std::uint64_t i = rec.value & 0xffffffffu;
      const std::string expected = preview_of(t, i);
      REQUIRE(std::string(rec.preview, strnlen(rec.preview, kPreviewBytes)) == expected);
      // One thread's records are claimed in its program order.
      REQUIRE(static_cast<std::int64_t>(i) > last_of[t]);
      last_of[t] = static_cast<std::int64_t>(i);
    }
  }
};

void run(std::uint32_t appenders, std::uint64_t each, bool expect_no_loss) {
  shmtest::AnonymousBlock block;
  std::atomic<bool> go{false};
  std::atomic<std::uint32_t> done{0};
  std::vector<std::thread> threads;
  for (std::uint32_t t = 0; t < appenders; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      append_all(block, t, each, expect_no_loss);
      done.fetch_add(1);
    });
  }
  Reader reader(appenders);
  int polls = 0;
  go.store(true);
  while (done.load() < appenders) {
    reader.take(journal_read(*block, reader.next));
    ++polls;
    std::this_thread::yield();
  }
  for (auto& t : threads) t.join();
  const std::uint64_t total = std::uint64_t{appenders} * each;
  // An appender held up in its write for a lap (more likely under a sanitizer) finds a later
  // record in its entry, possibly mixed with its own words, and leaves it unfinished. A reader
  // waits on an unfinished record until a later one is a second old, then counts it lost.
  const auto joined = std::chrono::steady_clock::now();
  reader.take(journal_read(*block, reader.next));
  while (reader.next < total && std::chrono::steady_clock::now() < joined + 3s) {
    std::this_thread::sleep_for(100ms);
    reader.take(journal_read(*block, reader.next));
  }
  MESSAGE(appenders << " appenders x " << each << ": read " << reader.read << ", lost "
                    << reader.lost << " in " << polls << " polls, the last "
                    << std::chrono::duration<double>(std::chrono::steady_clock::now() - joined).count()
                    << " s after the appenders finished");
  CHECK(reader.next == total);
  CHECK(reader.read + reader.lost == total);
  if (expect_no_loss) CHECK(reader.lost == 0);
}

}  // namespace

TEST_CASE("threads appending below capacity while a thread reads: every record intact, none lost") {
  shmtest::Watchdog dog(100s);
  static_assert(4 * 500 < kJournalCapacity);
  run(4, 500, true);
}

TEST_CASE("threads appending far beyond capacity while a thread reads: read plus lost is every record") {
  shmtest::Watchdog dog(100s);
  run(4, 20000, false);
}
