// The monitor's data model, kept apart from every ImGui view: snapshots and journal records
// as they arrive, and what the views derive from them (lock spans, metrics, byte change ages).
// Views read it; only the app writes it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "shmipc/journal.hpp"
#include "shmipc/snapshot.hpp"

namespace shmscope {

struct LockSpan {
  enum class Kind { Waiting, Holding, HoldingContended };
  Kind kind = Kind::Holding;
  shmipc::Role role = shmipc::Role::None;
  std::uint32_t pid = 0;
  std::uint64_t begin_ns = 0;
  std::uint64_t end_ns = 0;  // == now for a span still open
  bool open = false;
  std::uint32_t waiter_pid = 0;  // HoldingContended: who waited
};

// Journal records [first_seq, first_seq + count) that were never read: the ring overwrote them
// first (a recording's gaps). The sequence diagram shows them as a row, never hides them.
struct JournalGap {
  std::uint64_t first_seq = 0;
  std::uint64_t count = 0;
  std::uint64_t t_ns = 0;  // when the loss was noticed
};

struct Metrics {
  double messages_per_second = 0;                 // over the last second of journal
  std::vector<double> handoff_latency_us;         // MessageWritten -> MessageRead, recent
  std::vector<double> hold_time_us;               // LockReleased values, recent
  std::vector<float> messages_per_second_series;  // messages read in each of the last 60 s
};

class SessionHistory {
 public:
  // Snapshots are kept up to `max_snapshots` AND up to kSnapshotBudgetBytes of raw copies,
  // whichever is fewer: a block of 134 KB copied 60 times a second would otherwise grow the
  // monitor by ~160 MB before the count bound holds (seen: 126 -> 269 MB in a four-minute demo).
  static constexpr std::size_t kSnapshotBudgetBytes = 48u << 20;
  explicit SessionHistory(std::size_t max_snapshots = 1200, std::size_t max_journal = 50000);
  // Raw bytes held by the kept snapshots (what the budget bounds).
  std::size_t snapshot_bytes() const;

  void ingest(shmipc::Snapshot snap, const shmipc::JournalRead& read);
  void clear();
  // A known gap (from a recording); kept in sequence order, as many as journal records kept.
  void note_gap(const JournalGap& gap);
  const std::deque<JournalGap>& gaps() const { return gaps_; }

  const shmipc::Snapshot* latest() const;
  const std::deque<shmipc::Snapshot>& snapshots() const { return snapshots_; }
  const std::deque<shmipc::JournalItem>& journal() const { return journal_; }
  std::uint64_t journal_lost() const { return journal_lost_; }
  std::uint64_t journal_next() const { return journal_next_; }

  // The first kept snapshot taken after journal record `seq` happened.
  const shmipc::Snapshot* snapshot_after(std::uint64_t journal_seq) const;
  // Monotonic time at which each byte of the block last changed (0 = never seen changing).
  const std::vector<std::uint64_t>& byte_changed_ns() const { return byte_changed_ns_; }

  std::vector<LockSpan> lock_spans(std::uint64_t from_ns, std::uint64_t to_ns) const;
  Metrics metrics(std::uint64_t now_ns) const;

 private:
  std::size_t max_snapshots_;
  std::size_t max_journal_;
  std::deque<shmipc::Snapshot> snapshots_;
  std::deque<shmipc::JournalItem> journal_;
  std::deque<JournalGap> gaps_;
  std::uint64_t journal_lost_ = 0;
  std::uint64_t journal_next_ = 0;
  std::vector<std::uint64_t> byte_changed_ns_;
};

}  // namespace shmscope
