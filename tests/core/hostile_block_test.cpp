// A hostile or buggy process of the same user writes garbage into a live block while a real
// `shmipc parent` and `shmipc child` exchange messages: data_size, the message versions, the
// header's layout_version, the journal's `next` and random bytes. The views (Observer,
// `shmipc status`, `shmipc watch`) name the field; the peers report what they read or carry
// on; nothing crashes (the asan preset runs this too), nothing hangs (watchdogs, bounded waits).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "shmipc/block.hpp"
#include "shmipc/observer.hpp"
#include "cli_helpers.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;
using shmipc::Block;

namespace {

using shmtest::Run;
using shmtest::run;

using Cleanup = shmtest::SegmentCleanup;
using shmtest::says;

constexpr std::size_t kDataSizeAt = offsetof(Block, message) + offsetof(shmipc::MessageArea, data_size);
constexpr std::size_t kHeadAt = offsetof(Block, message) + offsetof(shmipc::MessageArea, version_head);
constexpr std::size_t kTailAt = offsetof(Block, message) + offsetof(shmipc::MessageArea, version_tail);
constexpr std::size_t kSequenceAt =
    offsetof(Block, message) + offsetof(shmipc::MessageArea, message_sequence);
constexpr std::size_t kReadSequenceAt =
    offsetof(Block, message) + offsetof(shmipc::MessageArea, message_read_sequence);
constexpr std::size_t kLayoutAt = offsetof(Block, header) + offsetof(shmipc::BlockHeader, layout_version);
constexpr std::size_t kNextAt = offsetof(Block, journal) + offsetof(shmipc::JournalRing, next);
// The pthread mutex object itself: see "random bytes" below for why it is left alone.
constexpr std::size_t kPthreadMutexAt = offsetof(Block, mutex);
constexpr std::size_t kPthreadMutexEnd = kPthreadMutexAt + sizeof(pthread_mutex_t);

std::vector<std::string> command(const std::string& sub, const std::string& session,
                                 std::vector<std::string> extra = {}) {
  std::vector<std::string> argv{shmtest::binary_path("shmipc"), sub, "--session", session};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The segment as another program of the same user sees it: a plain file in /dev/shm, written
// with pwrite (no mapping, so this test's process cannot be hurt by what it does).
class RawSegment {
 public:
  explicit RawSegment(const std::string& session)
      : fd_(::open(("/dev/shm/shmscope." + session).c_str(), O_RDWR | O_CLOEXEC)) {
    REQUIRE(fd_ >= 0);
  }
  ~RawSegment() { ::close(fd_); }
  RawSegment(const RawSegment&) = delete;
  RawSegment& operator=(const RawSegment&) = delete;

  template <typename T>
  T peek(std::size_t offset) const {
    T v{};
    REQUIRE(::pread(fd_, &v, sizeof v, static_cast<off_t>(offset)) == sizeof v);
    return v;
  }
  template <typename T>
  void poke(std::size_t offset, T v) const {
    REQUIRE(::pwrite(fd_, &v, sizeof v, static_cast<off_t>(offset)) == sizeof v);
  }

 private:
  int fd_;
};

// A parent and a child sending "hostile #N" every `period` seconds, each waiting up to 20 s.
struct Exchange {
  std::string name;
  shmtest::ChildProcess parent;
  shmtest::ChildProcess child;

  Exchange(const std::string& session, const std::string& period, const std::string& timeout = "20")
      : name(session),
        parent(shmtest::ChildProcess::spawn(command("parent", session))),
        child(start_child(session, parent, period, timeout)) {}

  static shmtest::ChildProcess start_child(const std::string& session,
                                           const shmtest::ChildProcess& parent,
                                           const std::string& period, const std::string& timeout) {
    REQUIRE(shmtest::eventually([&] { return says(parent, "waiting for the child"); }, 20s));
    auto c = shmtest::ChildProcess::spawn(
        command("child", session, {"--every", period, "--timeout", timeout, "--send", "hostile"}));
    REQUIRE(shmtest::eventually([&] { return says(c, "received by the parent"); }, 20s));
    return c;
  }

  std::size_t receipts() const { return count_of(child.stdout_text(), "received by the parent"); }

  // The exchange goes on: `more` further messages arrive with their receipts.
  void carries_on(std::size_t more) {
    const std::size_t before = receipts();
    CHECK(shmtest::eventually([&] { return receipts() >= before + more; }, 30s));
  }
};

bool observer_names(const std::string& session, const std::string& field) {
  const shmipc::Snapshot s = shmipc::Observer::open(session)->snapshot();
  for (const auto& p : s.problems)
    if (p.field == field) return true;
  return false;
}

bool output_names(const std::vector<std::string>& argv, const std::string& field) {
  const Run r = run(argv);
  REQUIRE(r.code == 0);
  return r.out.find("  " + field + ": ") != std::string::npos;
}

// Writes the garbage and asks a view, until the view names the field: the live peers rewrite
// some fields with every message, so a view may first see a repaired block. 40 tries are
// far more than needed (one message every 0.2 s); only a view that never names it fails.
void named_by_every_view(const Exchange& ex, const std::string& field,
                         const std::function<void()>& garble) {
  const std::vector<std::pair<std::string, std::function<bool()>>> views{
      {"Observer", [&] { return observer_names(ex.name, field); }},
      {"shmipc status", [&] { return output_names(command("status", ex.name), field); }},
      {"shmipc watch --count 1",
       [&] { return output_names(command("watch", ex.name, {"--count", "1"}), field); }},
  };
  for (const auto& [view, names] : views) {
    int tries = 0;
    bool named = false;
    while (!named && tries < 40) {
      ++tries;
      garble();
      named = names();
    }
    INFO(view << " after " << tries << " tries");
    CHECK_MESSAGE(named, view << " names " << field);
  }
}

}  // namespace

TEST_CASE(
    "garbage in data_size, the message versions, journal.next and layout_version is named by the "
    "Observer, shmipc status and shmipc watch, and the peers go on, stopping with code 8 on a changed "
    "header") {
  shmtest::Watchdog dog(280s, "hostile named fields");
  const std::string name = shmtest::unique_session_name("hostile-fields");
  Cleanup cleanup{name};
  // One message a second: `status` and `watch` are new processes (about 300 ms to start
  // under ASan on a busy machine), and each message rewrites data_size and the versions.
  Exchange ex(name, "1");
  RawSegment seg(name);

  named_by_every_view(ex, "message.data_size",
                      [&] { seg.poke<std::uint32_t>(kDataSizeAt, 0xFFFFFFF0u); });
  ex.carries_on(2);
  named_by_every_view(ex, "message.version_head", [&] {
    seg.poke<std::uint64_t>(kHeadAt, seg.peek<std::uint64_t>(kTailAt) + 1000);
  });
  ex.carries_on(2);
  named_by_every_view(ex, "message.version_tail", [&] {
    seg.poke<std::uint64_t>(kTailAt, seg.peek<std::uint64_t>(kHeadAt) + 1000);
  });
  ex.carries_on(2);
  // Left garbled: the appenders go on from there, and the ring's next lap repairs the view.
  named_by_every_view(ex, "journal.next", [&] {
    seg.poke<std::uint64_t>(kNextAt, seg.peek<std::uint64_t>(kNextAt) + 1'000'000);
  });
  ex.carries_on(2);
  CHECK(ex.parent.running());
  CHECK(ex.child.running());
  const std::string out = ex.parent.stdout_text() + ex.child.stdout_text();
  MESSAGE("messages received: " << ex.receipts() << ", reported corrupt by the parent: "
                                << count_of(out, "[CORRUPT") << ", torn: " << count_of(out, "[TORN"));

  // A header that changed under them is another program's block now: the peers (which check
  // it every 100 ms) stop with exit code 8 naming it, and the views name the field.
  named_by_every_view(ex, "header.layout_version",
                      [&] { seg.poke<std::uint32_t>(kLayoutAt, 999); });
  for (auto* p : {&ex.parent, &ex.child}) {
    const auto code = p->wait_for(20s);
    REQUIRE(code.has_value());
    CHECK(*code == 8);
    CHECK(p->stderr_text().find("layout version 999") != std::string::npos);
  }
  for (const auto* p : {&ex.parent, &ex.child}) {
    CHECK(p->stderr_text().find("Sanitizer") == std::string::npos);
    CHECK(p->stderr_text().find("runtime error") == std::string::npos);
  }
}

TEST_CASE("the parent reports a message whose data_size or versions were garbled, and takes the next") {
  shmtest::Watchdog dog(200s, "hostile message");
  const std::string name = shmtest::unique_session_name("hostile-message");
  Cleanup cleanup{name};
  Exchange ex(name, "0.2");
  RawSegment seg(name);

  // Stopped, the parent leaves the next message unread in the block: garble it there.
  auto garble_pending = [&](const std::function<void()>& garble) {
    ex.parent.kill(SIGSTOP);
    REQUIRE(shmtest::eventually(
        [&] {
          return seg.peek<std::uint64_t>(kSequenceAt) > seg.peek<std::uint64_t>(kReadSequenceAt);
        },
        20s));
    garble();
    ex.parent.kill(SIGCONT);
  };

  garble_pending([&] { seg.poke<std::uint32_t>(kDataSizeAt, 5000); });
  CHECK(shmtest::eventually(
      [&] { return says(ex.parent, "[CORRUPT: message.data_size 5000 exceeds the capacity of 1000]"); },
      20s));
  ex.carries_on(2);

  garble_pending([&] { seg.poke<std::uint64_t>(kHeadAt, seg.peek<std::uint64_t>(kHeadAt) + 7); });
  CHECK(shmtest::eventually([&] { return says(ex.parent, "[TORN"); }, 20s));
  ex.carries_on(2);

  // Message i is "hostile #i": the ones after the garbled two arrived intact and in order.
  const std::size_t last = ex.receipts();
  CHECK(shmtest::eventually(
      [&] { return says(ex.parent, "hostile #" + std::to_string(last + 1) + "\n"); }, 20s));
  CHECK(ex.child.stderr_text().empty());
  ex.child.kill(SIGTERM);
  ex.parent.kill(SIGTERM);
  CHECK(ex.child.wait_for(20s).has_value());
  CHECK(ex.parent.wait_for(20s).has_value());
}

// Random bytes anywhere in the block, except inside the pthread_mutex_t: its lock word is
// glibc's and the kernel's, and garbage there is indistinguishable from a live holder that
// never unlocks (only a holder's death is recoverable), so a peer waiting for it waits like
// one waiting for a stopped holder (docs/RELIABILITY.md). Everything else is protocol data.
TEST_CASE(
    "random bytes written by another process during traffic crash and hang nothing, and "
    "status, watch and the Observer keep answering") {
  shmtest::Watchdog dog(280s, "hostile random bytes");
  const std::string name = shmtest::unique_session_name("hostile-random");
  Cleanup cleanup{name};
  // Short timeouts: a garbled event or sequence may cost a receipt, which the child then
  // reports (exit 10) instead of waiting for ever.
  Exchange ex(name, "0.02", "3");
  const unsigned seed = std::random_device{}();
  MESSAGE("flipper seed " << seed);
  constexpr int kFlips = 3000;
  auto flipper = shmtest::ChildProcess::fork([&]() -> int {
    RawSegment seg(name);
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::size_t> head_area(0, offsetof(Block, journal) + 64);
    std::uniform_int_distribution<std::size_t> anywhere(0, sizeof(Block) - 1);
    for (int i = 0; i < kFlips; ++i) {
      std::size_t at = 0;
      switch (rng() % 8) {
        case 0: seg.poke<std::uint32_t>(kDataSizeAt, static_cast<std::uint32_t>(rng())); continue;
        case 1: seg.poke<std::uint64_t>(rng() % 2 ? kHeadAt : kTailAt, rng()); continue;
        case 2: seg.poke<std::uint64_t>(kNextAt, (std::uint64_t{rng()} << 32) | rng()); continue;
        case 3: at = anywhere(rng); break;
        default: at = head_area(rng); break;  // the small areas with the most meaning
      }
      if (at >= kPthreadMutexAt && at < kPthreadMutexEnd) continue;
      seg.poke<std::uint8_t>(at, static_cast<std::uint8_t>(rng()));
      if (i % 4 == 0) std::this_thread::sleep_for(1ms);
    }
    return 0;
  });

  int snapshots = 0, views = 0, with_problems = 0;
  while (flipper.running()) {
    auto observer = shmipc::Observer::open(name);
    const shmipc::Snapshot s = observer->snapshot();
    observer->journal_since(s, 0);
    observer->journal_since(s, s.journal_next > 20 ? s.journal_next - 20 : 0);
    ++snapshots;
    if (!s.problems.empty()) ++with_problems;
    if (snapshots % 10 == 0) {
      for (const auto& argv : {command("status", name), command("watch", name, {"--count", "1"}),
                               command("status", name, {"--json"})}) {
        const Run r = run(argv);
        INFO(argv[1] << " stderr: " << r.err);
        CHECK(r.code == 0);
        CHECK(r.out.find("session") != std::string::npos);
        ++views;
      }
    }
  }
  REQUIRE(flipper.wait_for(20s) == 0);
  MESSAGE(kFlips << " flips; " << snapshots << " snapshots (" << with_problems
                 << " with problems), " << views << " status/watch runs; messages received: "
                 << ex.receipts());

  // Each peer is still running, or stopped on an error it reported (an exit code, not a signal).
  for (auto* p : {&ex.child, &ex.parent}) {
    if (p->running()) {
      p->kill(SIGTERM);
      const auto code = p->wait_for(20s);
      REQUIRE_MESSAGE(code.has_value(), "a peer did not end on SIGTERM: hung");
      CHECK(*code == 128 + SIGTERM);
    } else {
      const auto code = p->wait_for(1s);
      REQUIRE(code.has_value());
      INFO("stderr: " << p->stderr_text());
      CHECK(*code < 128);
    }
    CHECK(p->stderr_text().find("Sanitizer") == std::string::npos);
    CHECK(p->stderr_text().find("runtime error") == std::string::npos);
  }
}
