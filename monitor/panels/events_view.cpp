#include "panels/events_view.hpp"

#include "panels/view_text.hpp"
#include "shmipc/journal.hpp"

namespace shmscope {

EventsView make_events_view(const PanelInput& in) {
  EventsView v;
  const shmipc::Snapshot* snap = in.history.latest();
  for (std::size_t i = 0; i < shmipc::kEventCount; ++i) {
    v.lamps[i].name = std::string(shmipc::event_name(static_cast<shmipc::EventId>(i)));
  }
  if (snap == nullptr) {
    v.status = in.acting.attached ? "Waiting for the first snapshot." : "No session attached.";
    return v;
  }
  v.known = true;
  for (std::size_t i = 0; i < shmipc::kEventCount; ++i) {
    const shmipc::SnapshotEvent& e = snap->events[i];
    EventLamp& l = v.lamps[i];
    l.signalled = e.signalled;
    l.state = e.signalled ? "signalled" : "clear";
    l.counts = std::to_string(e.times_set) + " / " + std::to_string(e.times_consumed);
    l.waiters = e.waiters == 0 ? "no waiters" : std::to_string(e.waiters) + " waiting";
    // A waiter killed in its wait leaves its slot behind until someone takes it over: count it,
    // but say it is stale (its pid is not a live participant), never show it as a live waiter.
    for (const shmipc::SnapshotWaiter& w : snap->waiters) {
      if (!w.in_use() || (w.wait_mask & (1u << i)) == 0) continue;
      bool live = false;
      for (const shmipc::SnapshotParticipant& p : snap->participants) {
        live = live || (p.in_use() && p.alive && p.pid == w.owner_pid);
      }
      if (!live) ++l.stale_waiters;
    }
    if (l.stale_waiters > 0) {
      l.waiters += " (" + std::to_string(l.stale_waiters) + " stale: " +
                   (l.stale_waiters == 1 ? "its process is" : "their processes are") + " gone)";
    }
    l.last_setter = e.times_set == 0 && e.last_setter_pid == 0
                        ? "never set"
                        : who_text(e.last_setter_role, e.last_setter_pid) + ", " +
                              age_text(in.now_ns, e.last_set_ns);
    l.last_consumer = e.times_consumed == 0 && e.last_consumer_pid == 0
                          ? "never consumed"
                          : "pid " + std::to_string(e.last_consumer_pid) + ", " +
                                age_text(in.now_ns, e.last_consumed_ns);
  }
  v.child_ack = snap->message.child_ack;
  v.child_ack_text = v.child_ack ? "childAck = 1: the child acknowledged"
                                 : "childAck = " + std::to_string(snap->message.child_ack_raw) +
                                       ": no child acknowledgement";
  return v;
}

}  // namespace shmscope
