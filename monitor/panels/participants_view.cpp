#include "panels/participants_view.hpp"

#include "panels/view_text.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/liveness.hpp"

namespace shmscope {

ParticipantsView make_participants_view(const PanelInput& in) {
  ParticipantsView v;
  const shmipc::Snapshot* snap = in.history.latest();
  if (snap == nullptr) {
    v.status = in.acting.attached ? "Waiting for the first snapshot." : "No session attached.";
    return v;
  }
  v.known = true;
  for (std::size_t i = 0; i < snap->participants.size(); ++i) {
    const shmipc::SnapshotParticipant& p = snap->participants[i];
    if (!p.in_use()) continue;
    ParticipantRow r;
    r.slot = static_cast<int>(i);
    r.role = p.role;
    r.role_name = std::string(role_word(p.role));
    r.pid = p.pid;
    r.alive = p.alive;
    // The kernel lock says alive or dead; /proc and the heartbeat refine "alive" (a stopped
    // parent hangs its child while its lock says alive). No /proc entry: the lock's word stands.
    const shmipc::Liveness l =
        shmipc::liveness_of(p.alive, p.pid, p.activity, p.heartbeat_ns, in.now_ns);
    r.liveness = !p.alive                               ? "dead"
                 : l == shmipc::Liveness::Stopped       ? "stopped"
                 : l == shmipc::Liveness::Unresponsive  ? "unresponsive"
                                                        : "alive";
    if (!in.acting.playback_note.empty()) {
      // A recording holds no liveness (kernel locks and /proc of another moment, maybe another
      // machine): a slot in use is a member that had joined, no more is claimed.
      r.alive = true;
      r.liveness = "joined";
    }
    r.joined = age_text(in.now_ns, p.joined_ns);
    r.heartbeat = age_text(in.now_ns, p.heartbeat_ns);
    r.activity = r.alive ? std::string(shmipc::activity_name(p.activity)) : "-";
    r.mode = p.mode == shmipc::PeerMode::SeedFaithful ? "seed-faithful" : "reliable";
    r.is_me = in.acting.role != shmipc::Role::Observer && in.acting.role == p.role;
    if (!r.alive && v.warning.empty()) {
      v.warning = "The " + r.role_name + " (pid " + std::to_string(p.pid) +
                  ") is dead: its slot stays until the next process joins.";
    }
    v.rows.push_back(std::move(r));
  }
  if (v.rows.empty()) v.status = "Nobody takes part in this session.";
  return v;
}

}  // namespace shmscope
