// One word for how a participant is doing, used by every view (status, watch, the monitor,
// the child's timeout message). "alive" alone hid a stopped parent that hung its child.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "shmipc/block.hpp"

namespace shmipc {

enum class Liveness {
  Alive,
  Stopped,       // SIGSTOP or a tracer: state T/t in /proc/PID/stat; it will not move until SIGCONT
  Unresponsive,  // waiting for an event, yet its heartbeat (refreshed every second of such a
                 // wait) is older than kUnresponsiveAfterNs
  Dead,          // its role lock is free, or it is a zombie
};

inline constexpr std::uint64_t kUnresponsiveAfterNs = 3'000'000'000;

// `alive` is the observer's kernel-lock and pid/start-time verdict; the rest refines it.
Liveness liveness_of(bool alive, std::uint32_t pid, Activity activity, std::uint64_t heartbeat_ns,
                     std::uint64_t now_ns) noexcept;
std::string_view liveness_name(Liveness l) noexcept;  // "alive", "stopped", "unresponsive", "DEAD"

// "the parent (pid 41) ... its heartbeat is 10.2 s old; it is stopped (state T)": what a user
// needs to know about a peer that did not answer in time. Reads the block once.
std::string describe_unanswering_peer(const Block& block, Role role, std::uint64_t now_ns);

}  // namespace shmipc
