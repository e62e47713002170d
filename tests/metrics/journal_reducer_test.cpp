// The journal -> metrics reducer and the session tracker, on copies of a block in private
// memory: no record counted twice, lost records counted, counters that never go backwards.
#include <doctest/doctest.h>

#include "block_bytes.hpp"
#include "shmmetrics/journal_reducer.hpp"
#include "shmmetrics/session_metrics.hpp"

using shmipc::JournalKind;
using shmmetrics::SessionTracker;

TEST_CASE("a journal record seen in two overlapping copies is counted once") {
  metricstest::BlockBytes block;
  SessionTracker tracker("overlap", 0);
  block.record(JournalKind::MessageWritten, 1'000, 5, 1);
  tracker.update(block.copy(), false);
  block.record(JournalKind::MessageRead, 4'000, 5, 1);
  const auto copy = block.copy();
  tracker.update(copy, false);
  tracker.update(copy, false);  // the same records again
  const auto& j = tracker.metrics().journal;
  CHECK(j.records == 2);
  CHECK(j.messages_sent == 1);
  CHECK(j.messages_delivered == 1);
  CHECK(j.records_lost == 0);

  shmmetrics::JournalReducer reducer;
  shmipc::JournalItem item;
  item.seq = 7;
  item.record.kind = static_cast<std::uint16_t>(JournalKind::MessageRead);
  reducer.add(item);
  reducer.add(item);
  item.seq = 3;  // older than the last one taken
  reducer.add(item);
  CHECK(reducer.totals().messages_delivered == 1);
}

TEST_CASE("the hand-off latency is the time from a message's write record to its read record") {
  metricstest::BlockBytes block;
  SessionTracker tracker("handoff", 0);
  block.record(JournalKind::LockReleased, 500, 0, 300);            // held 300 ns
  block.record(JournalKind::MessageWritten, 1'000, 3, 1);
  block.record(JournalKind::MessageRead, 4'000, 3, 1);              // 3 us
  block.record(JournalKind::MessageWritten, 10'000, 3, 2);
  block.record(JournalKind::MessageRead, 2'010'000, 3, 2);          // 2 ms
  block.record(JournalKind::MessageRead, 3'000'000, 3, 9);          // no write seen: no latency
  tracker.update(block.copy(), false);
  const auto& j = tracker.metrics().journal;
  CHECK(j.messages_delivered == 3);
  CHECK(j.handoff.count() == 2);
  CHECK(j.handoff.sum_ns() == 3'000 + 2'000'000);
  // Buckets are cumulative: <= 5 us holds one, <= 2.5 ms both.
  CHECK(j.handoff.cumulative(5) == 1);   // le 0.000005
  CHECK(j.handoff.cumulative(12) == 1);  // le 0.001
  CHECK(j.handoff.cumulative(13) == 2);  // le 0.0025
  CHECK(j.mutex_hold.count() == 1);
  CHECK(j.mutex_hold.cumulative(1) == 0);  // le 0.00000025
  CHECK(j.mutex_hold.cumulative(2) == 1);  // le 0.0000005
}

TEST_CASE("a message withdrawn by its sender and consumed later is not counted as delivered") {
  metricstest::BlockBytes block;
  SessionTracker tracker("withdrawn", 0);
  block.record(JournalKind::MessageWritten, 1'000, 3, 1);
  block.record(JournalKind::MessageWithdrawn, 30'000'000'000, 0, 1);
  block.record(JournalKind::MessageRead, 31'000'000'000, 3, 1);
  block.record(JournalKind::MessageWritten, 32'000'000'000, 3, 2);
  block.record(JournalKind::MessageRead, 32'000'001'000, 3, 2);
  tracker.update(block.copy(), false);
  const auto& j = tracker.metrics().journal;
  CHECK(j.messages_sent == 2);
  CHECK(j.messages_withdrawn == 1);
  CHECK(j.messages_delivered == 1);
  CHECK(j.handoff.count() == 1);
}

TEST_CASE("records the ring overwrote before they were read are counted as lost") {
  metricstest::BlockBytes block;
  SessionTracker tracker("lost", 0);
  tracker.update(block.copy(), false);
  const std::size_t extra = 100;
  for (std::size_t i = 0; i < shmipc::kJournalCapacity + extra; ++i)
    block.record(JournalKind::MessageRead, 1'000 + i, 1, i + 1);
  tracker.update(block.copy(), false);
  const auto& j = tracker.metrics().journal;
  CHECK(j.records_lost == extra);
  CHECK(j.records == shmipc::kJournalCapacity);
  CHECK(j.messages_delivered == shmipc::kJournalCapacity);
  CHECK(tracker.metrics().block.journal_records.total() == shmipc::kJournalCapacity + extra);
}

TEST_CASE("a block created before the exporter started is followed from its oldest record, not counted as lost") {
  metricstest::BlockBytes block(/*created_ns=*/1'000);
  for (std::size_t i = 0; i < shmipc::kJournalCapacity + 500; ++i)
    block.record(JournalKind::LockReleased, 2'000 + i, 0, 100);
  SessionTracker tracker("old", /*exporter_started_ns=*/5'000);
  tracker.update(block.copy(), false);
  CHECK(tracker.metrics().journal.records_lost == 0);
  CHECK(tracker.metrics().journal.records == shmipc::kJournalCapacity);
}

TEST_CASE("counters stay monotonic when the session's block is recreated") {
  SessionTracker tracker("recreated", 0);
  {
    metricstest::BlockBytes first(/*created_ns=*/1'000);
    first->mutex.lock_count.store(40);
    first->mutex.contended_count.store(7);
    first->mutex.owner_died_count.store(1);
    first->events[1].times_set.store(20);
    for (int i = 1; i <= 20; ++i) {
      first.record(JournalKind::MessageWritten, 10'000ULL * i, 1, i);
      first.record(JournalKind::MessageRead, 10'000ULL * i + 500, 1, i);
    }
    tracker.update(first.copy(), false);
  }
  CHECK(tracker.metrics().journal.messages_delivered == 20);
  metricstest::BlockBytes second(/*created_ns=*/9'000'000);
  second->mutex.lock_count.store(4);
  second->mutex.contended_count.store(0);
  second->events[1].times_set.store(2);
  for (int i = 1; i <= 2; ++i) {
    // Sequences start again at 1 in the new block: matched against the new block's writes.
    second.record(JournalKind::MessageWritten, 20'000'000ULL + i, 1, i);
    second.record(JournalKind::MessageRead, 20'000'000ULL + i + 700, 1, i);
  }
  tracker.update(second.copy(), false);
  const auto& m = tracker.metrics();
  CHECK(m.recreations == 1);
  CHECK(m.journal.messages_delivered == 22);
  CHECK(m.journal.handoff.count() == 22);
  CHECK(m.block.mutex_acquisitions.total() == 44);
  CHECK(m.block.mutex_contended.total() == 7);
  CHECK(m.block.mutex_owner_deaths.total() == 1);
  CHECK(m.block.events_set[1].total() == 22);
}

TEST_CASE("a counter that goes backwards in the same block never makes a total go backwards") {
  metricstest::BlockBytes block;
  SessionTracker tracker("backwards", 0);
  block->mutex.lock_count.store(100);
  tracker.update(block.copy(), false);
  block->mutex.lock_count.store(3);  // a hostile or broken writer
  tracker.update(block.copy(), false);
  CHECK(tracker.metrics().block.mutex_acquisitions.total() == 103);
}

TEST_CASE("a corrupt copy is reported and the counters keep their last good values") {
  metricstest::BlockBytes block;
  SessionTracker tracker("corrupt", 0);
  block->mutex.lock_count.store(10);
  block.record(JournalKind::MessageRead, 1'000, 1, 1);
  tracker.update(block.copy(), false);
  block->message.data_size.store(5000);  // over the capacity of 1000
  block->mutex.lock_count.store(999'999);
  block.record(JournalKind::MessageRead, 2'000, 1, 2);
  tracker.update(block.copy(), false);
  const auto& m = tracker.metrics();
  CHECK(m.corrupt);
  CHECK(m.corrupt_reason.find("message.data_size") != std::string::npos);
  CHECK(m.block.mutex_acquisitions.total() == 10);
  CHECK(m.journal.messages_delivered == 1);
  // Repaired: counting goes on, the record written while it was corrupt included.
  block->message.data_size.store(0);
  tracker.update(block.copy(), false);
  CHECK_FALSE(tracker.metrics().corrupt);
  CHECK(tracker.metrics().journal.messages_delivered == 2);
}
