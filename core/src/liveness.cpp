#include "shmipc/liveness.hpp"

#include <cstdio>

#include "shmipc/journal.hpp"
#include "shmipc/process_identity.hpp"

namespace shmipc {

Liveness liveness_of(bool alive, std::uint32_t pid, Activity activity, std::uint64_t heartbeat_ns,
                     std::uint64_t now_ns) noexcept {
  if (!alive) return Liveness::Dead;
  const auto state = process_state(pid);
  if (!state || *state == 'Z' || *state == 'X' || *state == 'x') return Liveness::Dead;
  if (*state == 'T' || *state == 't') return Liveness::Stopped;
  // Only an event wait refreshes the heartbeat on a schedule; an idle peer (a child reading
  // its terminal) may be silent for hours and is not unresponsive for that.
  if (activity == Activity::WaitingEvent && heartbeat_ns != 0 && now_ns > heartbeat_ns &&
      now_ns - heartbeat_ns > kUnresponsiveAfterNs)
    return Liveness::Unresponsive;
  return Liveness::Alive;
}

std::string_view liveness_name(Liveness l) noexcept {
  switch (l) {
    case Liveness::Alive:
      return "alive";
    case Liveness::Stopped:
      return "stopped";
    case Liveness::Unresponsive:
      return "unresponsive";
    case Liveness::Dead:
      return "DEAD";
  }
  return "?";
}

std::string describe_unanswering_peer(const Block& block, Role role, std::uint64_t now_ns) {
  const std::size_t slot = role == Role::Parent ? kParentSlot : kChildSlot;
  const ParticipantSlot& p = block.participants[slot];
  // Each shared value read once.
  const auto slot_role = p.role.load(std::memory_order_relaxed);
  const auto pid = p.pid.load(std::memory_order_relaxed);
  const auto heartbeat = p.heartbeat_ns.load(std::memory_order_relaxed);
  std::string who = std::string("the ") + std::string(role_name(role));
  if (slot_role != static_cast<std::uint32_t>(role) || pid == 0) return who + " has left the session";
  who += " (pid " + std::to_string(pid) + ")";
  char age[64] = "never";
  if (heartbeat != 0 && now_ns >= heartbeat)
    std::snprintf(age, sizeof age, "%.1f s old", static_cast<double>(now_ns - heartbeat) * 1e-9);
  std::string text = who + "; its heartbeat is " + age;
  const auto state = process_state(pid);
  if (!state) return text + "; the process is gone";
  switch (*state) {
    case 'T':
    case 't':
      return text + "; it is stopped (state " + std::string(1, *state) +
             "): it goes on after SIGCONT";
    case 'Z':
      return text + "; it is dead (a zombie not yet reaped)";
    default:
      return text + "; it is running (state " + std::string(1, *state) + ") but not answering";
  }
}

}  // namespace shmipc
