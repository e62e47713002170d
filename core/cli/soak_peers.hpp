// The soak's forked processes: a parent that counts what it delivers, a child that sends
// numbered messages and settles each one's outcome, and an observer copying the block.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

#include "shmipc/clock.hpp"
#include "soak_ledger.hpp"

namespace shmcli::soak {

struct Config {
  std::string session;
  std::uint64_t messages = 0;
  std::uint64_t kill_every = 0;  // 0: no kills
  double timeout_s = 2;
  std::uint64_t seed = 0;
  bool verbose = false;  // one line per kill
};

shmipc::Deadline after_seconds(double s);

// Forks a process that dies with the controller; `body`'s return value is its exit code
// (an Error: its exit code, printed on stderr).
pid_t fork_peer(const std::function<int()>& body);

int parent_body(const Config& cfg, const Shared& sh);
int child_body(const Config& cfg, const Shared& sh);
int observer_body(const Config& cfg, const Shared& sh);

}  // namespace shmcli::soak
