// A parent, a child, an Observer and a journal reader as threads of one process on one named
// session: the whole protocol's shared accesses under ThreadSanitizer (preset "tsan"), and
// Observer snapshots taken while a writer thread runs flat out.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <variant>

#include "shmipc/journal.hpp"
#include "shmipc/message_area.hpp"
#include "shmipc/observer.hpp"
#include "shmipc/peer.hpp"
#include "shmipc/robust_mutex.hpp"
#include "shmipc/session.hpp"
#include "shmipc/snapshot.hpp"
#include "cli_helpers.hpp"
#include "numbered_message.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;

namespace {

using shmtest::numbered_message;

std::unique_ptr<shmipc::Session> join(const std::string& name, shmipc::RoleRequest role) {
  shmipc::SessionOptions o;
  o.name = name;
  o.role = role;
  return shmipc::Session::join(o);
}

using Cleanup = shmtest::SegmentCleanup;

// What a snapshot says is wrong, for a failure message.
std::string problems_text(const shmipc::Snapshot& s) {
  std::string text = s.message.checksum_ok ? "" : "checksum mismatch; ";
  for (const auto& p : s.problems) text += p.field + ": " + p.problem + "; ";
  return text;
}

}  // namespace

TEST_CASE("a parent and a child thread exchange messages while an observer and a journal reader watch") {
  shmtest::Watchdog watchdog(120s);
  const std::string name = shmtest::unique_session_name("thr-peers");
  Cleanup cleanup{name};
  // At least kCount messages, and on until the observer has taken kSnapshots snapshots (a
  // snapshot under ThreadSanitizer costs milliseconds), so that they overlap the traffic.
  constexpr std::uint32_t kCount = 500;
  constexpr int kSnapshots = 50;
  constexpr std::uint32_t kMaxCount = 200000;
  auto parent_session = join(name, shmipc::RoleRequest::Parent);
  shmipc::ParentPeer parent(*parent_session);
  std::atomic<bool> finished{false};

  std::atomic<int> child_result{-1};
  std::atomic<std::uint32_t> sent{0};
  std::atomic<int> snapshots{0}, consistent{0}, bad{0};
  std::thread child_thread([&] {
    auto s = join(name, shmipc::RoleRequest::Child);
    shmipc::ChildPeer child(*s);
    child.acknowledge(shmipc::deadline_after(20s));
    for (std::uint32_t i = 0; i < kMaxCount && (i < kCount || snapshots.load() < kSnapshots); ++i) {
      const auto r = child.send_message(numbered_message(i), shmipc::deadline_after(20s));
      if (!r.receipt || r.sequence != i + 1) {
        child_result.store(10);
        return;
      }
      sent.store(i + 1);
    }
    child_result.store(child.send_command(shmipc::Command::KillApp, 0, shmipc::deadline_after(20s)) ? 0 : 11);
    s->leave();
  });

  std::atomic<std::uint64_t> journal_records{0};
  std::string first_bad;  // written by the observer thread only, read after it is joined
  std::thread observer_thread([&] {
    auto observer = shmipc::Observer::open(name);
    std::uint64_t from = 0;
    while (!finished.load()) {
      shmipc::Snapshot s = observer->snapshot();
      snapshots.fetch_add(1);
      from = observer->journal_since(s, from).next;
      if (!s.message.consistent) continue;
      consistent.fetch_add(1);
      if (s.problems.empty() && s.message.checksum_ok) continue;
      if (bad.fetch_add(1) == 0) first_bad = problems_text(s);
    }
  });
  std::thread journal_thread([&] {
    std::uint64_t from = 0;
    while (!finished.load()) {
      shmipc::JournalRead r = shmipc::journal_read(parent_session->block(), from);
      journal_records.fetch_add(r.items.size());
      from = r.next;
      std::this_thread::yield();
    }
  });

  std::uint32_t received = 0;
  std::uint32_t mismatched = 0;
  bool killed = false;
  while (!killed) {
    auto event = parent.next(shmipc::deadline_after(30s));
    if (std::holds_alternative<shmipc::WaitTimedOut>(event)) break;
    if (auto* m = std::get_if<shmipc::ReceivedMessage>(&event)) {
      if (!m->checksum_ok || m->torn || m->sequence != received + 1 ||
          m->data != numbered_message(received))
        ++mismatched;
      ++received;
    } else if (std::holds_alternative<shmipc::ReceivedCommand>(event)) {
      killed = true;
    }
  }
  child_thread.join();
  finished.store(true);
  observer_thread.join();
  journal_thread.join();
  MESSAGE("messages " << received << ", snapshots " << snapshots.load() << " (consistent "
                      << consistent.load() << "), journal records read live "
                      << journal_records.load());
  CHECK(killed);
  CHECK(child_result.load() == 0);
  CHECK(received == sent.load());
  CHECK(received >= kCount);
  CHECK(mismatched == 0);
  CHECK_MESSAGE(bad.load() == 0, first_bad);
  CHECK(snapshots.load() > 0);
}

TEST_CASE("observer snapshots taken while a writer thread runs flat out are never torn") {
  shmtest::Watchdog watchdog(120s);
  const std::string name = shmtest::unique_session_name("thr-snap");
  Cleanup cleanup{name};
  auto session = join(name, shmipc::RoleRequest::Parent);
  shmipc::Block& block = session->block();
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> written{0};
  std::thread writer([&] {
    shmipc::Actor me{&block, shmipc::Role::Child, static_cast<std::uint32_t>(::getpid()), -1};
    shmipc::RobustMutex mutex(me);
    char fill[shmipc::kDataCapacity];
    for (std::uint64_t seq = 1; !stop.load(std::memory_order_relaxed); ++seq) {
      const auto size = static_cast<std::uint32_t>(1 + seq % shmipc::kDataCapacity);
      std::memset(fill, 'a' + static_cast<int>(seq % 26), sizeof fill);
      mutex.lock();
      {
        shmipc::VersionedWrite write(session->block().message);
        std::memcpy(block.message.data, fill, size);
        block.message.data_size.store(size, std::memory_order_relaxed);
        block.message.message_sequence.store(seq, std::memory_order_relaxed);
        block.message.checksum.store(shmipc::message_checksum(seq, size, fill),
                                     std::memory_order_relaxed);
      }
      mutex.unlock();
      written.store(seq, std::memory_order_relaxed);
    }
  });
  auto observer = shmipc::Observer::open(name);
  int consistent = 0, taken = 0, torn = 0;
  std::set<std::uint64_t> sequences;
  // A snapshot costs milliseconds under ThreadSanitizer: a few hundred, spread over many writes.
  for (; taken < 100000 && (taken < 300 || sequences.size() < 100); ++taken) {
    shmipc::Snapshot s = observer->snapshot();
    if (!s.message.consistent) continue;
    ++consistent;
    const auto& m = s.message;
    sequences.insert(m.message_sequence);
    if (m.message_sequence == 0) continue;
    const char expected = static_cast<char>('a' + m.message_sequence % 26);
    if (!m.data_size_valid || !m.checksum_ok ||
        m.data_size != 1 + m.message_sequence % shmipc::kDataCapacity ||
        !std::all_of(m.data.begin(), m.data.begin() + m.data_size,
                     [&](char c) { return c == expected; }))
      ++torn;
  }
  stop.store(true);
  writer.join();
  MESSAGE("snapshots " << taken << ", consistent " << consistent << ", distinct sequences "
                       << sequences.size() << ", writes " << written.load());
  CHECK(torn == 0);
  CHECK(consistent >= 50);
  CHECK(sequences.size() >= 100);
}

TEST_CASE("snapshots taken while writers lap the journal again and again never call it corrupt") {
  shmtest::Watchdog watchdog(120s);
  const std::string name = shmtest::unique_session_name("thr-lap");
  Cleanup cleanup{name};
  auto session = join(name, shmipc::RoleRequest::Parent);
  shmipc::Block& block = session->block();
  // Two appenders and the observer share two cores here: the observer is preempted inside its
  // copy of the ring while the appenders lap it, as a loaded machine does to a monitor.
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&] {
      shmipc::Actor me{&block, shmipc::Role::Child, static_cast<std::uint32_t>(::getpid()), -1};
      while (!stop.load(std::memory_order_relaxed))
        shmipc::journal_append(me, shmipc::JournalKind::Note, 0, 0, "lap");
    });
  }
  auto observer = shmipc::Observer::open(name);
  int taken = 0, corrupt = 0;
  std::string first;
  const auto until = std::chrono::steady_clock::now() + 3s;
  for (; taken < 20000 && (taken < 50 || std::chrono::steady_clock::now() < until); ++taken) {
    const shmipc::Snapshot s = observer->snapshot();
    if (s.problems.empty()) continue;
    if (corrupt++ == 0) first = problems_text(s);
  }
  stop.store(true);
  for (auto& t : writers) t.join();
  MESSAGE("snapshots " << taken << ", records appended " << block.journal.next.load());
  CHECK_MESSAGE(corrupt == 0, corrupt << " snapshots called corrupt, the first: " << first);
}
