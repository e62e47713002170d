// What one journal record costs, and what it is made of: the clock read, the claim (one
// fetch_add on the ring's counter) and the versioned write of the entry. docs/PERFORMANCE.md
// quotes these rows; the target is at most 50 ns per record.
#include <benchmark/benchmark.h>

#include "anonymous_block.hpp"
#include "shmipc/clock.hpp"
#include "shmipc/journal.hpp"

namespace {

shmtest::AnonymousBlock& shared_block() {
  static shmtest::AnonymousBlock block;
  return block;
}

void BM_MonotonicClock(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(shmipc::monotonic_ns());
}
BENCHMARK(BM_MonotonicClock);

// One record as the protocol appends it (no preview): LockRequested, EventSet...
void BM_JournalRecord(benchmark::State& state) {
  const shmipc::Actor who = shared_block().actor(shmipc::Role::Child, 1);
  for (auto _ : state)
    benchmark::DoNotOptimize(shmipc::journal_append(who, shmipc::JournalKind::LockRequested));
}
BENCHMARK(BM_JournalRecord);

// A record of a protocol step that has already read the clock (journal_append_at): what each
// record beyond a step's first costs.
void BM_JournalRecordAtStepTime(benchmark::State& state) {
  const shmipc::Actor who = shared_block().actor(shmipc::Role::Child, 1);
  const std::uint64_t step_time = shmipc::monotonic_ns();
  for (auto _ : state)
    benchmark::DoNotOptimize(
        shmipc::journal_append_at(who, step_time, shmipc::JournalKind::LockRequested));
}
BENCHMARK(BM_JournalRecordAtStepTime);

// MessageWritten / MessageRead carry the first 16 bytes of the message.
void BM_JournalRecordWithPreview(benchmark::State& state) {
  const shmipc::Actor who = shared_block().actor(shmipc::Role::Child, 1);
  const std::string message(100, 'm');
  for (auto _ : state)
    benchmark::DoNotOptimize(
        shmipc::journal_append(who, shmipc::JournalKind::MessageWritten, 100, 1, message));
}
BENCHMARK(BM_JournalRecordWithPreview);

// Two threads appending at once: the ring's counter and neighbouring entries move between
// CPUs, as when parent and child both journal (threads stand in for the two processes).
void BM_JournalRecordTwoWriters(benchmark::State& state) {
  const shmipc::Actor who = shared_block().actor(
      state.thread_index() == 0 ? shmipc::Role::Parent : shmipc::Role::Child, state.thread_index());
  for (auto _ : state)
    benchmark::DoNotOptimize(shmipc::journal_append(who, shmipc::JournalKind::LockRequested));
}
BENCHMARK(BM_JournalRecordTwoWriters)->Threads(2)->UseRealTime();

// The bench-only switch: what a record costs when the journal is off (the floor).
void BM_JournalRecordSwitchedOff(benchmark::State& state) {
  const shmipc::Actor who = shared_block().actor(shmipc::Role::Child, 1);
  shmipc::set_journal_enabled_for_benchmark(false);
  for (auto _ : state)
    benchmark::DoNotOptimize(shmipc::journal_append(who, shmipc::JournalKind::LockRequested));
  shmipc::set_journal_enabled_for_benchmark(true);
}
BENCHMARK(BM_JournalRecordSwitchedOff);

}  // namespace

BENCHMARK_MAIN();
