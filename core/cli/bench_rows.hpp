// The mechanisms `shmipc bench` compares, one function per family, each timing one row
// (placement x message size) between two real processes.
#pragma once

#include <string>

#include "bench_harness.hpp"

namespace shmcli::bench {

enum class ShmipcKind {
  Reliable,      // "shmipc-reliable": blocking (adaptive) waits, receipts, every step journaled
  Observed,      // "shmipc-observed": the same with a third process snapshotting at 60 Hz
  SeedFaithful,  // "seed-faithful": the parent polls with the article's 10 ms timeouts
};

// `journal` false: the bench-only switch (both processes journal nothing), to show what the
// journal costs the round trip.
Row bench_shmipc(ShmipcKind kind, const RowSpec& spec, const std::string& session_name,
                 bool journal = true);

Row bench_pipe(const RowSpec& spec);
Row bench_socketpair(const RowSpec& spec);
Row bench_boost_condition(const RowSpec& spec);

enum class FutexKind {
  BlockAtOnce,   // "futex": futex_wait as soon as the word has not changed
  AdaptiveSpin,  // "futex-spin": shmipc's adaptive spin first (adaptive_spin.hpp)
  BusySpin,      // "busy-spin": never sleeps (the floor of any hand-off; two CPUs only)
};
Row bench_futex(FutexKind kind, const RowSpec& spec);

}  // namespace shmcli::bench
