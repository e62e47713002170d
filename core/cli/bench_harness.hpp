// What every row of `shmipc bench` shares: where its two processes run (placement), how a
// round trip is timed and summarised, and forked helpers that die with the bench.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace shmcli::bench {

enum class Placement { Unpinned, SameCpu, TwoCpus };
std::string_view placement_name(Placement p) noexcept;  // "unpinned", "same-cpu", "two-cpus"

// The CPUs this process may use, remembered once at start so rows can pin and unpin.
class CpuPlan {
 public:
  CpuPlan();
  std::size_t usable() const noexcept { return cpus_.size(); }
  // -1: no pinning (the original mask). Same CPU: both on the first usable CPU; two CPUs:
  // the timing side on the first, the answering side on the second.
  int sender_cpu(Placement p) const noexcept;
  int echo_cpu(Placement p) const noexcept;
  // Restricts the calling process to `cpu`, or gives it back the original mask for -1.
  void pin(int cpu) const;

 private:
  std::vector<int> cpus_;
};

// One table row: the JSON object of `shmipc bench --json`, minus the names it gets later.
struct Row {
  std::string mechanism;  // "shmipc-reliable", "pipe", ...
  Placement placement = Placement::Unpinned;
  std::size_t bytes = 0;
  std::size_t messages = 0;
  double median_us = 0;
  double p99_us = 0;
  double max_us = 0;
  double per_second = 0;
};

// Where a row runs and how much it sends.
struct RowSpec {
  Placement placement = Placement::Unpinned;
  std::size_t bytes = 100;
  std::size_t messages = 10000;
  int sender_cpu = -1;
  int echo_cpu = -1;
  const CpuPlan* cpus = nullptr;
};

// Times `round_trip` spec.messages times after a short warm-up, in the calling process
// (already pinned by the caller).
Row time_round_trips(std::string mechanism, const RowSpec& spec,
                     const std::function<void()>& round_trip);

// Forks a helper pinned to `cpu` (-1: the original mask) that dies with us; its body's
// return value is its exit code.
pid_t fork_helper(const CpuPlan& cpus, int cpu, const std::function<int()>& body);
int reap(pid_t pid);
// The same for a helper that must be ready before we go on (a parent that has joined): its
// body writes one byte to `ready_fd` when it is. Reaps it and throws, naming `what`, if it
// ends first.
pid_t fork_ready_helper(const CpuPlan& cpus, int cpu, const std::function<int(int ready_fd)>& body,
                        const char* what);

// Pins the calling (timing) process for the scope of one row.
class PinnedForRow {
 public:
  PinnedForRow(const CpuPlan& cpus, int cpu) : cpus_(cpus) { cpus_.pin(cpu); }
  ~PinnedForRow() { cpus_.pin(-1); }
  PinnedForRow(const PinnedForRow&) = delete;
  PinnedForRow& operator=(const PinnedForRow&) = delete;

 private:
  const CpuPlan& cpus_;
};

void write_all(int fd, const void* p, std::size_t n);
bool read_all(int fd, void* p, std::size_t n);  // false at end of file
std::string payload(std::size_t size);

}  // namespace shmcli::bench
