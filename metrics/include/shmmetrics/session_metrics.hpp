// What the exporter knows of one session: counters that only grow (across scrapes and across
// recreations of the session's block), the gauges of the last good copy, and whether the block
// is corrupt. SessionTracker turns successive copies of one session's block into this; it reads
// no shared memory itself (the collector hands it copies), so it is tested on plain bytes.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "shmipc/block.hpp"
#include "shmipc/snapshot.hpp"
#include "shmmetrics/journal_reducer.hpp"

namespace shmmetrics {

// A counter the block keeps (lock_count, ...) made monotonic: when the block is recreated, or
// the value goes backwards (a hostile writer), what was counted so far becomes the base.
class MonotonicCounter {
 public:
  void see(std::uint64_t value) noexcept;
  void restart() noexcept;  // a new block: its counters start again from 0
  std::uint64_t total() const noexcept;

 private:
  std::uint64_t base_ = 0;
  std::uint64_t last_ = 0;
};

struct BlockCounters {
  MonotonicCounter mutex_acquisitions;  // mutex.lock_count
  MonotonicCounter mutex_contended;     // mutex.contended_count
  MonotonicCounter mutex_held_ns;       // mutex.total_hold_ns
  MonotonicCounter mutex_owner_deaths;  // mutex.owner_died_count (EOWNERDEAD recoveries)
  MonotonicCounter journal_records;     // journal.next (records ever appended)
  std::array<MonotonicCounter, shmipc::kEventCount> events_set;       // events[i].times_set
  std::array<MonotonicCounter, shmipc::kEventCount> events_consumed;  // events[i].times_consumed
};

inline constexpr std::array<shmipc::Role, 4> kPeerRoles = {
    shmipc::Role::Parent, shmipc::Role::Child, shmipc::Role::Observer, shmipc::Role::Tool};

struct SessionGauges {
  std::array<std::uint32_t, kPeerRoles.size()> peers_alive{};  // by kPeerRoles
  bool mutex_held = false;
  std::uint32_t mutex_waiters = 0;
  std::uint64_t message_sequence = 0;
  std::uint64_t message_read_sequence = 0;
  std::uint32_t epoch = 0;
  bool step_mode = false;
};

struct SessionMetrics {
  std::string name;
  bool corrupt = false;
  std::string corrupt_reason;      // the first problem found, for the log and the docs
  std::uint64_t problems = 0;      // problems in the last copy
  bool stale = false;              // no live member holds the segment
  std::uint64_t recreations = 0;   // times a new block replaced the one followed before
  BlockCounters block;
  SessionGauges gauges;            // of the last good copy
  JournalTotals journal;
};

// Block identity: a recreated or reclaimed block has another creation time or epoch.
struct BlockIdentity {
  std::uint64_t created_monotonic_ns = 0;
  std::uint64_t created_realtime_ns = 0;
  std::uint32_t creator_pid = 0;
  std::uint32_t epoch = 0;
  bool operator==(const BlockIdentity&) const = default;
};

class SessionTracker {
 public:
  // `exporter_started_ns` (monotonic): a block created before it had a past the exporter never
  // saw, so following starts at the oldest record still in its ring, not at record 0 (whose
  // overwritten records would otherwise count as lost).
  SessionTracker(std::string name, std::uint64_t exporter_started_ns);

  // A copy of the block (Observer::snapshot or any bytes through decode_snapshot).
  void update(const shmipc::Snapshot& copy, bool stale);
  // The block could not even be copied (not trusted, wrong size...): reported as corrupt.
  void unreadable(const std::string& reason, bool stale);

  const SessionMetrics& metrics() const noexcept { return metrics_; }

 private:
  void sync_totals();

  SessionMetrics metrics_;
  std::uint64_t exporter_started_ns_;
  bool followed_ = false;  // a good copy was taken: identity_ and journal_from_ are set
  BlockIdentity identity_;
  std::uint64_t journal_from_ = 0;
  JournalReducer reducer_;
};

}  // namespace shmmetrics
