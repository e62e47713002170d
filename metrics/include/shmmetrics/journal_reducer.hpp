// Journal records -> counters and histograms. The exporter follows each session's journal by
// sequence number: a record at or before the last one taken is ignored, so a record is never
// counted twice however the copies overlap, and the records the ring overwrote before they
// could be read are counted as lost (the counts derived from them are then short by as much).
// Pure: fed from a copy, never from shared memory.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "shmipc/journal.hpp"
#include "shmmetrics/histogram.hpp"

namespace shmmetrics {

struct JournalTotals {
  std::uint64_t records = 0;              // records taken
  std::uint64_t records_lost = 0;         // overwritten (or torn) before they were read
  std::uint64_t messages_sent = 0;        // MessageWritten
  std::uint64_t messages_delivered = 0;   // MessageRead, unless its message was withdrawn
  std::uint64_t messages_overwritten = 0; // MessageOverwritten (seed-faithful: never read)
  std::uint64_t messages_withdrawn = 0;   // MessageWithdrawn (its sender gave up)
  std::uint64_t messages_refused = 0;     // MessageRefused (over 1000 bytes)
  std::uint64_t commands_sent = 0;        // CommandWritten
  std::uint64_t torn_writes = 0;          // TornWrite
  std::uint64_t checksum_failures = 0;    // ChecksumMismatch
  std::uint64_t peer_deaths = 0;          // PeerDied
  std::uint64_t event_timeouts = 0;       // EventTimeout
  std::uint64_t injections = 0;           // Injected (an observer acted on the block)
  Histogram handoff;    // MessageWritten -> MessageRead of the same message sequence
  Histogram mutex_hold; // LockReleased.value
};

class JournalReducer {
 public:
  // Takes a read in sequence order; records at or before the last sequence taken are skipped.
  void add(const shmipc::JournalRead& read);
  void add(const shmipc::JournalItem& item);

  // The session's block was recreated: its journal starts again at sequence 0. Totals stay.
  void restart() noexcept;

  const JournalTotals& totals() const noexcept { return totals_; }
  std::optional<std::uint64_t> last_sequence() const noexcept { return last_; }

 private:
  // MessageWritten times of recent messages, by message sequence: a read matches the write
  // of its own sequence (a reliable peer has one outstanding, seed-faithful a few).
  struct Sent {
    std::uint64_t sequence = 0;
    std::uint64_t t_ns = 0;
    bool used = false;
    bool withdrawn = false;  // the parent consumes it but does not deliver it
  };
  static constexpr std::size_t kPendingSends = 64;

  JournalTotals totals_;
  std::optional<std::uint64_t> last_;
  std::array<Sent, kPendingSends> sent_{};
};

}  // namespace shmmetrics
