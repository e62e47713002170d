// libFuzzer target: the journal -> metrics reducer and the session tracker on hostile input.
//  1. The input as (8-byte sequence, 48-byte record) items straight into the reducer: any
//     kinds, values, times, sequences repeated or going backwards.
//  2. The input laid over a block with a valid header, copied twice into a SessionTracker:
//     the second, identical copy must add nothing (no record counted twice).
// Then rendered: the text always ends with "# EOF" and the histograms stay cumulative.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "block_input.hpp"
#include "shmipc/snapshot.hpp"
#include "shmmetrics/journal_reducer.hpp"
#include "shmmetrics/openmetrics.hpp"
#include "shmmetrics/session_metrics.hpp"

namespace {

void check_histogram(const shmmetrics::Histogram& h) {
  std::uint64_t previous = 0;
  for (std::size_t i = 0; i <= shmmetrics::Histogram::bounds(); ++i) {
    const std::uint64_t c = h.cumulative(i);
    if (c < previous) __builtin_trap();
    previous = c;
  }
  if (previous != h.count()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  shmmetrics::JournalReducer reducer;
  constexpr std::size_t kItem = 8 + sizeof(shmipc::JournalRecord);
  for (std::size_t at = 0; at + kItem <= size; at += kItem) {
    shmipc::JournalItem item;
    std::memcpy(&item.seq, data + at, 8);
    std::memcpy(&item.record, data + at + 8, sizeof item.record);
    reducer.add(item);
  }
  check_histogram(reducer.totals().handoff);
  check_histogram(reducer.totals().mutex_hold);
  if (reducer.totals().handoff.count() > reducer.totals().messages_delivered) __builtin_trap();

  const auto raw = fuzzinput::block_over_valid_header(data, size);
  const shmipc::Snapshot copy = shmipc::decode_snapshot(raw);
  shmmetrics::SessionTracker tracker("fuzz", 0);
  tracker.update(copy, false);
  const shmmetrics::JournalTotals first = tracker.metrics().journal;
  tracker.update(copy, true);
  const shmmetrics::JournalTotals& second = tracker.metrics().journal;
  if (second.records != first.records || second.messages_delivered != first.messages_delivered ||
      second.mutex_hold.count() != first.mutex_hold.count())
    __builtin_trap();
  check_histogram(second.handoff);

  const std::string text = shmmetrics::render_openmetrics({tracker.metrics()}, {});
  if (text.size() < 6 || text.compare(text.size() - 6, 6, "# EOF\n") != 0) __builtin_trap();
  return 0;
}
