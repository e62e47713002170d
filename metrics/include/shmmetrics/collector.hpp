// Collection: every session of this user on the machine (found as `shmipc status`/`clean` find
// them, in /dev/shm), each copied once per poll through shmipc's read-only Observer, its
// journal followed by sequence number. Thread-safe: one thread polls, HTTP threads read.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "shmmetrics/session_metrics.hpp"

namespace shmmetrics {

struct CollectorOptions {
  // A session whose segment is gone is no longer exported, but its totals are remembered this
  // long, so a block recreated under the same name goes on counting from them.
  std::chrono::seconds forget_after{600};
};

struct CollectorStats {
  std::uint64_t polls = 0;
  std::uint64_t last_poll_ns = 0;  // how long the last poll took
  std::uint64_t sessions = 0;      // exported now
  std::uint64_t remembered = 0;    // gone, totals kept (forget_after)
};

class Collector {
 public:
  explicit Collector(CollectorOptions options = {});
  ~Collector();

  // Reads every session once. Never throws for one bad session: it is reported as corrupt.
  void poll();

  // Sessions present at the last poll, by name; `only` empty: all of them.
  std::vector<SessionMetrics> sessions(const std::set<std::string>& only = {}) const;
  CollectorStats stats() const;

 private:
  struct Tracked;
  CollectorOptions options_;
  std::uint64_t started_ns_;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Tracked>> tracked_;
  CollectorStats stats_;
};

}  // namespace shmmetrics
