#include "panels/mutex_view.hpp"

#include <algorithm>

#include "panels/view_text.hpp"

namespace shmscope {

UiColour lock_span_colour(LockSpan::Kind kind) {
  switch (kind) {
    case LockSpan::Kind::Waiting:
      return UiColour::Waiting;
    case LockSpan::Kind::Holding:
      return UiColour::Held;
    case LockSpan::Kind::HoldingContended:
      return UiColour::Contended;
  }
  return UiColour::Muted;
}

MutexView make_mutex_view(const PanelInput& in, const UiState& ui) {
  MutexView v;
  const shmipc::Snapshot* snap = in.history.latest();
  if (snap == nullptr) {
    v.headline = in.acting.attached ? "waiting for the first snapshot" : "No session attached";
    return v;
  }
  v.known = true;
  const shmipc::SnapshotMutex& m = snap->mutex;
  v.held = m.held();
  if (v.held) {
    v.headline = "held by " + who_text(m.owner_role, m.owner_pid);
    v.colour = m.waiters > 0 ? UiColour::Contended : UiColour::Held;
    v.owner = std::string(role_word(m.owner_role)) + ", pid " + std::to_string(m.owner_pid) +
              ", tid " + std::to_string(m.owner_tid);
    v.held_for = m.owner_since_ns != 0 && in.now_ns > m.owner_since_ns
                     ? duration_text(in.now_ns - m.owner_since_ns)
                     : "just taken";
  } else {
    v.headline = "free";
    v.colour = UiColour::Free;
    v.owner = "nobody";
    v.held_for = "-";
  }
  v.waiters = m.waiters == 0 ? "nobody waiting"
                             : std::to_string(m.waiters) +
                                   (m.waiters == 1 ? " thread" : " threads") + " waiting";
  v.lock_count = m.lock_count;
  v.counts = std::to_string(m.lock_count) + " locks, " + std::to_string(m.contended_count) +
             " contended, total hold " + duration_text(m.total_hold_ns);
  if (m.owner_died_count == 0) {
    v.recovery = "never: no owner has died holding it";
  } else {
    v.recovery = "pid " + std::to_string(m.last_dead_owner_pid) +
                 " died holding it; the next owner recovered it " +
                 age_text(in.now_ns, m.last_owner_died_ns) + " (" +
                 std::to_string(m.owner_died_count) +
                 (m.owner_died_count == 1 ? " time in all)" : " times in all)");
  }

  const auto window = static_cast<std::uint64_t>(std::max(0.5f, ui.lock_window_seconds) * 1e9);
  v.window_end_ns = in.now_ns;
  v.window_begin_ns = in.now_ns > window ? in.now_ns - window : 0;
  // One lane per parent/child slot in use, plus anyone the journal shows locking.
  auto lane_for = [&](std::uint32_t pid, shmipc::Role role) -> LockLane& {
    for (LockLane& l : v.lanes) {
      if (l.pid == pid) return l;
    }
    v.lanes.push_back({who_text(role, pid), pid, role, {}});
    return v.lanes.back();
  };
  for (const shmipc::SnapshotParticipant& p : snap->participants) {
    if (p.in_use() && (p.role == shmipc::Role::Parent || p.role == shmipc::Role::Child)) {
      lane_for(p.pid, p.role);
    }
  }
  for (const LockSpan& s : in.history.lock_spans(v.window_begin_ns, v.window_end_ns)) {
    lane_for(s.pid, s.role).spans.push_back(s);
  }
  std::stable_sort(v.lanes.begin(), v.lanes.end(), [](const LockLane& a, const LockLane& b) {
    return static_cast<int>(a.role) < static_cast<int>(b.role);
  });
  return v;
}

std::string lock_span_sentence(const LockSpan& span, const MutexView& view) {
  auto name_of = [&](std::uint32_t pid) {
    for (const LockLane& l : view.lanes) {
      if (l.pid == pid) return l.label;
    }
    return "pid " + std::to_string(pid);
  };
  const std::string who = name_of(span.pid);
  const std::string how_long = duration_text(span.end_ns - span.begin_ns);
  switch (span.kind) {
    case LockSpan::Kind::Waiting:
      return who + (span.open ? " has been waiting " : " waited ") + how_long + " for the mutex.";
    case LockSpan::Kind::Holding:
      return who + (span.open ? " has held the mutex for " : " held the mutex for ") + how_long +
             "; nobody waited.";
    case LockSpan::Kind::HoldingContended:
      return who + (span.open ? " has held the mutex for " : " held the mutex for ") + how_long +
             " while " + name_of(span.waiter_pid) + " waited.";
  }
  return who;
}

}  // namespace shmscope
