#include "shmmetrics/journal_reducer.hpp"

namespace shmmetrics {

using shmipc::JournalKind;

void JournalReducer::add(const shmipc::JournalRead& read) {
  totals_.records_lost += read.lost;
  for (const auto& item : read.items) add(item);
}

void JournalReducer::add(const shmipc::JournalItem& item) {
  if (last_ && item.seq <= *last_) return;
  last_ = item.seq;
  ++totals_.records;
  const shmipc::JournalRecord& r = item.record;
  switch (static_cast<JournalKind>(r.kind)) {
    case JournalKind::MessageWritten: {
      ++totals_.messages_sent;
      Sent& slot = sent_[r.value % kPendingSends];
      slot = Sent{r.value, r.t_ns, true, false};
      break;
    }
    case JournalKind::MessageRead: {
      Sent& slot = sent_[r.value % kPendingSends];
      const bool known = slot.used && slot.sequence == r.value;
      if (known && slot.withdrawn) {
        slot.used = false;
        break;
      }
      ++totals_.messages_delivered;
      if (known) {
        // Timestamps of two processes: a few ns the other way is possible (docs/PROTOCOL.md).
        totals_.handoff.observe_ns(r.t_ns > slot.t_ns ? r.t_ns - slot.t_ns : 0);
        slot.used = false;
      }
      break;
    }
    case JournalKind::LockReleased:
      totals_.mutex_hold.observe_ns(r.value);
      break;
    case JournalKind::MessageOverwritten:
      ++totals_.messages_overwritten;
      break;
    case JournalKind::MessageWithdrawn: {
      ++totals_.messages_withdrawn;
      Sent& slot = sent_[r.value % kPendingSends];
      if (slot.used && slot.sequence == r.value) slot.withdrawn = true;
      break;
    }
    case JournalKind::MessageRefused:
      ++totals_.messages_refused;
      break;
    case JournalKind::CommandWritten:
      ++totals_.commands_sent;
      break;
    case JournalKind::TornWrite:
      ++totals_.torn_writes;
      break;
    case JournalKind::ChecksumMismatch:
      ++totals_.checksum_failures;
      break;
    case JournalKind::PeerDied:
      ++totals_.peer_deaths;
      break;
    case JournalKind::EventTimeout:
      ++totals_.event_timeouts;
      break;
    case JournalKind::Injected:
      ++totals_.injections;
      break;
    default:
      break;  // other kinds (and unknown values from a hostile writer) only count as records
  }
}

void JournalReducer::restart() noexcept {
  last_.reset();
  sent_ = {};
}

}  // namespace shmmetrics
