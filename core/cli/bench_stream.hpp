// The stream part of `shmipc bench`: one file of random bytes sent through the block (as
// `shmipc child --send-file` / `shmipc parent --out` do) and through pipes, in MB/s.
#pragma once

#include <cstdint>
#include <string>

#include "bench_harness.hpp"

namespace shmcli::bench {

struct StreamResult {
  std::uint64_t file_bytes = 0;
  double shmipc_mb_s = 0;        // 1000-byte messages, each with its receipt
  double pipe_chunked_mb_s = 0;  // the same chunks and 1-byte receipts through a pipe pair
  double pipe_mb_s = 0;          // the file through one pipe, 64 KiB writes (as cat does)
  bool identical = false;        // what shmipc delivered equals the file, byte for byte
};

// Unpinned. Temporary files in $TMPDIR (or /tmp), removed afterwards.
StreamResult bench_stream(const CpuPlan& cpus, std::uint64_t file_bytes,
                          const std::string& session_name);

}  // namespace shmcli::bench
