// Ctrl-C, SIGTERM and SIGHUP make a peer leave its session instead of dying in place, so the
// last one out still removes the segment. A thread waits for the signals with sigwait (no
// async-signal-safety limits), leaves, and exits with 128 + the signal number.
#pragma once

#include "shmipc/session.hpp"

namespace shmcli {

// Call first, before any other thread exists: it blocks the signals in the calling thread so
// that every later thread inherits the mask and only the waiting thread receives them.
void handle_stop_signals();

// The session the signal thread leaves; nullptr for none. Thread-safe.
void leave_on_stop_signal(shmipc::Session* session);

// Leaves the session (serialised with the signal thread) and forgets it.
void leave_session(shmipc::Session& session);

// For the lifetime of a joined session: a stop signal leaves it; so does the end of scope
// (also on an exception), serialised with the signal thread.
class LeaveOnStop {
 public:
  explicit LeaveOnStop(shmipc::Session& session) : session_(session) {
    leave_on_stop_signal(&session);
  }
  ~LeaveOnStop() { leave_session(session_); }
  LeaveOnStop(const LeaveOnStop&) = delete;
  LeaveOnStop& operator=(const LeaveOnStop&) = delete;

 private:
  shmipc::Session& session_;
};

}  // namespace shmcli
