// View model of the Events panel: the five auto-reset events as lamps, plus the childAck flag.
#pragma once

#include <array>
#include <string>

#include "panels/panels.hpp"

namespace shmscope {

struct EventLamp {
  std::string name;  // "SendMessage"
  bool signalled = false;
  std::string state;          // "signalled" / "clear"
  std::string counts;         // "12 / 11": times set / times consumed
  std::string waiters;        // "1 waiting" / "no waiters" / "2 waiting (1 stale: ...)"
  int stale_waiters = 0;      // waiter slots whose process is no longer a live participant
  std::string last_setter;    // "child (pid 4242), 1.2 s ago" / "never set"
  std::string last_consumer;  // "pid 4241, 1.2 s ago" / "never consumed"
};

struct EventsView {
  bool known = false;
  std::string status;  // when nothing is known: why
  std::array<EventLamp, shmipc::kEventCount> lamps;
  bool child_ack = false;
  std::string child_ack_text;  // "childAck = 1: the child acknowledged"
};

EventsView make_events_view(const PanelInput& in);

}  // namespace shmscope
