// View model of the Participants panel: every used slot with pid, alive or dead, ages.
#pragma once

#include <string>
#include <vector>

#include "panels/panels.hpp"
#include "ui/palette.hpp"

namespace shmscope {

struct ParticipantRow {
  int slot = 0;
  shmipc::Role role = shmipc::Role::None;
  std::string role_name;  // "parent"
  std::uint32_t pid = 0;
  bool alive = false;
  std::string liveness;   // "alive" / "dead"
  std::string joined;     // "12.3 s ago"
  std::string heartbeat;  // "0.20 s ago"
  std::string activity;   // "waiting for an event"
  std::string mode;       // "reliable" / "seed-faithful"
  bool is_me = false;     // the monitor itself acting in this slot
};

struct ParticipantsView {
  bool known = false;
  std::string status;  // no session / no participants
  std::vector<ParticipantRow> rows;
  std::string warning;  // "The child (pid 4242) is dead." when a peer died
};

ParticipantsView make_participants_view(const PanelInput& in);

}  // namespace shmscope
