// The five auto-reset events, with Windows semantics: a set with no waiter stays signalled
// until exactly one waiter consumes it; a set with waiters releases exactly one. Built on a
// compare-exchange of EventState::signalled and a futex per waiter slot, never on condition
// variables (a waiter killed inside a process-shared condvar wait hangs the signaller).
#pragma once

#include <optional>
#include <span>

#include "shmipc/actor.hpp"
#include "shmipc/clock.hpp"

namespace shmipc {

class Events {
 public:
  static void initialize(Block& block);  // creator only

  explicit Events(const Actor& who) : who_(who) {}

  // Returns true if the event was already signalled (the set coalesced, as on Windows).
  bool set(EventId e);
  bool try_consume(EventId e);

  // Whether a wait that runs out is journaled (EventTimeout). A caller that cuts one long wait
  // into slices (to refresh its heartbeat) journals only the last: a slice ending is not a
  // protocol action, and a record every second would keep every observer busy.
  enum class TimeoutRecord { Journal, Silent };

  // Blocks until `e` is consumed by this thread (true) or the deadline passes (false).
  bool wait(EventId e, Deadline deadline = kForever, TimeoutRecord record = TimeoutRecord::Journal);

  // Blocks until one of `any` is consumed; earlier entries win when several are signalled.
  std::optional<EventId> wait_any(std::span<const EventId> any, Deadline deadline = kForever,
                                  TimeoutRecord record = TimeoutRecord::Journal);

 private:
  Actor who_;
};

}  // namespace shmipc
