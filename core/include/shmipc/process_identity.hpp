// A pid alone does not name a process (pids are reused, a zombie still answers kill(pid, 0));
// pid + start time (field 22 of /proc/<pid>/stat) does.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace shmipc {

struct ProcessIdentity {
  std::uint32_t pid = 0;
  std::uint64_t start_time = 0;  // clock ticks since boot
};

ProcessIdentity current_process() noexcept;
std::uint32_t current_tid() noexcept;

// Start time of a running (not zombie, not dead) process, or nullopt.
std::optional<std::uint64_t> process_start_time(std::uint32_t pid) noexcept;

// The state letter of /proc/<pid>/stat ('R' running, 'S' sleeping, 'T' stopped, 't' stopped
// by a tracer, 'Z' zombie, ...), or nullopt if there is no such process.
std::optional<char> process_state(std::uint32_t pid) noexcept;

// True if `who` is still the same, still running process.
bool is_alive(const ProcessIdentity& who) noexcept;

}  // namespace shmipc
