// What the monitor itself is doing in the session: observer, or a peer the user drives.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "shmipc/block.hpp"
#include "shmipc/session.hpp"

namespace shmscope {

struct ReceiveLogLine {
  std::uint64_t t_ns = 0;
  std::string text;      // a message as received, or "KILL_APP" / "PING"
  bool receipt = false;  // the receipt (ReceiveMessage / ReceiveCommand) was sent
};

struct ActingState {
  std::string session_name;
  bool attached = false;                       // an Observer is open
  shmipc::Role role = shmipc::Role::Observer;  // Observer unless the user joined
  shmipc::PeerMode mode = shmipc::PeerMode::Reliable;
  std::vector<ReceiveLogLine> receive_log;  // as parent
  std::string last_error;                   // shown in the Act panel until the next action
  std::string last_result;                  // e.g. "sent #12, receipt received"
  // Sessions the app found on the machine (shmipc::list_sessions), so the panel stays pure.
  std::vector<shmipc::SessionInfo> found_sessions;
  // Non-empty in playback (shmscope --open): why the Act panel offers nothing to do.
  std::string playback_note;
};

}  // namespace shmscope
