// The subcommands of `shmipc`, one file each. Each returns the process exit code and reports
// failures by throwing shmipc::Error (main turns its code into the exit code).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arguments.hpp"
#include "shmipc/peer.hpp"
#include "shmipc/session.hpp"
#include "shmipc/snapshot.hpp"

namespace shmcli {

int run_join(Arguments& args);
int run_parent(Arguments& args);
int run_child(Arguments& args);
int run_status(Arguments& args);
int run_watch(Arguments& args);
int run_lock(Arguments& args);
int run_clean(Arguments& args);
int run_demo(Arguments& args);
int run_bench(Arguments& args);
int run_soak(Arguments& args);
int run_metrics(Arguments& args);  // metrics.cpp, with the shmscope_metrics library

// The parent's receive loop: prints every message and command, returns 0 after KILL_APP
// (having left the session) or after `max_messages` messages.
int parent_receive_loop(shmipc::Session& session, shmipc::PeerMode mode,
                        std::optional<std::uint64_t> max_messages);

struct ChildPlan {
  std::vector<std::string> texts;  // --send, in order
  bool kill = false;
  bool ping = false;
  std::optional<double> every_seconds;
  shmipc::PeerMode mode = shmipc::PeerMode::Reliable;
  bool from_stdin = false;  // no --send / --kill / --ping given
  double timeout_s = 30;    // --timeout: how long to wait for the parent at each step
  std::optional<std::string> send_file;  // --send-file FILE: streamed first (file_stream.hpp)
};
ChildPlan read_child_plan(Arguments& args);  // consumes the child's options
int child_behaviour(shmipc::Session& session, const ChildPlan& plan);

// The status view shared by `status`, `watch` and `status --at` (a recorded block: ages are
// measured from `recorded_at_ns`, and liveness is not probed).
std::string status_text(const std::string& session, const shmipc::Snapshot& snap,
                        std::optional<std::uint64_t> recorded_at_ns = std::nullopt);
std::string status_json(const std::string& session, const shmipc::Snapshot& snap,
                        std::optional<std::uint64_t> recorded_at_ns = std::nullopt);

// Message bytes for a terminal: printable ASCII as is, everything else as \xNN.
std::string printable(std::string_view bytes);

}  // namespace shmcli
