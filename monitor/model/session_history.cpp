#include "model/session_history.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace shmscope {

namespace {

using shmipc::JournalKind;

JournalKind kind_of(const shmipc::JournalItem& it) {
  return static_cast<JournalKind>(it.record.kind);
}

// A pid's raw lock history before contention is known: waits and holds as [begin, end).
struct RawSpan {
  LockSpan::Kind kind;
  shmipc::Role role;
  std::uint32_t pid;
  std::uint64_t begin, end;
  bool open;
};

constexpr std::size_t kMetricSamples = 500;

}  // namespace

SessionHistory::SessionHistory(std::size_t max_snapshots, std::size_t max_journal)
    : max_snapshots_(std::max<std::size_t>(1, max_snapshots)),
      max_journal_(std::max<std::size_t>(1, max_journal)) {}

void SessionHistory::ingest(shmipc::Snapshot snap, const shmipc::JournalRead& read) {
  // Which bytes changed: a diff of the raw copies, so the hex view can make them glow.
  const shmipc::Snapshot* prev = latest();
  if (byte_changed_ns_.size() != snap.raw.size()) byte_changed_ns_.resize(snap.raw.size(), 0);
  if (prev != nullptr) {
    const std::size_t n = std::min(prev->raw.size(), snap.raw.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (prev->raw[i] != snap.raw[i]) byte_changed_ns_[i] = snap.taken_ns;
    }
  }
  const std::size_t by_budget = std::max<std::size_t>(
      2, kSnapshotBudgetBytes / std::max<std::size_t>(snap.raw.size(), 1));
  const std::size_t keep = std::min(max_snapshots_, by_budget);
  snapshots_.push_back(std::move(snap));
  while (snapshots_.size() > keep) snapshots_.pop_front();

  for (const shmipc::JournalItem& item : read.items) {
    if (!journal_.empty() && item.seq <= journal_.back().seq) continue;  // seen already
    journal_.push_back(item);
  }
  while (journal_.size() > max_journal_) journal_.pop_front();
  journal_lost_ += read.lost;
  journal_next_ = std::max(journal_next_, read.next);
}

std::size_t SessionHistory::snapshot_bytes() const {
  std::size_t n = 0;
  for (const auto& s : snapshots_) n += s.raw.size();
  return n;
}

void SessionHistory::note_gap(const JournalGap& gap) {
  if (!gaps_.empty() && gap.first_seq <= gaps_.back().first_seq) return;  // seen already
  gaps_.push_back(gap);
  while (gaps_.size() > max_journal_) gaps_.pop_front();
}

void SessionHistory::clear() {
  snapshots_.clear();
  journal_.clear();
  gaps_.clear();
  journal_lost_ = 0;
  journal_next_ = 0;
  byte_changed_ns_.clear();
}

const shmipc::Snapshot* SessionHistory::latest() const {
  return snapshots_.empty() ? nullptr : &snapshots_.back();
}

const shmipc::Snapshot* SessionHistory::snapshot_after(std::uint64_t journal_seq) const {
  // A snapshot whose journal_next is past the record was taken after it was appended.
  auto it = std::find_if(snapshots_.begin(), snapshots_.end(),
                         [&](const shmipc::Snapshot& s) { return s.journal_next > journal_seq; });
  return it == snapshots_.end() ? nullptr : &*it;
}

std::vector<LockSpan> SessionHistory::lock_spans(std::uint64_t from_ns, std::uint64_t to_ns) const {
  // Pass 1: per pid, waiting spans (requested -> acquired) and holding spans (acquired ->
  // released). A death or a leave closes whatever the pid had open.
  struct PidState {
    shmipc::Role role = shmipc::Role::None;
    std::uint64_t wait_since = 0;
    bool waiting = false;
    std::uint64_t hold_since = 0;
    bool holding = false;
  };
  std::map<std::uint32_t, PidState> state;
  std::vector<RawSpan> raw;
  auto close_all = [&](std::uint32_t pid, std::uint64_t t) {
    auto it = state.find(pid);
    if (it == state.end()) return;
    PidState& s = it->second;
    if (s.waiting) raw.push_back({LockSpan::Kind::Waiting, s.role, pid, s.wait_since, t, false});
    if (s.holding) raw.push_back({LockSpan::Kind::Holding, s.role, pid, s.hold_since, t, false});
    s.waiting = s.holding = false;
  };
  for (const shmipc::JournalItem& item : journal_) {
    const shmipc::JournalRecord& r = item.record;
    const std::uint32_t pid = r.pid;
    switch (kind_of(item)) {
      case JournalKind::LockRequested: {
        PidState& s = state[pid];
        s.role = static_cast<shmipc::Role>(r.role);
        s.waiting = true;
        s.wait_since = r.t_ns;
        break;
      }
      case JournalKind::LockAcquired: {
        PidState& s = state[pid];
        s.role = static_cast<shmipc::Role>(r.role);
        if (s.waiting && r.t_ns > s.wait_since) {
          raw.push_back({LockSpan::Kind::Waiting, s.role, pid, s.wait_since, r.t_ns, false});
        }
        s.waiting = false;
        s.holding = true;
        s.hold_since = r.t_ns;
        break;
      }
      case JournalKind::LockReleased: {
        PidState& s = state[pid];
        if (s.holding) {
          raw.push_back({LockSpan::Kind::Holding, s.role, pid, s.hold_since, r.t_ns, false});
        } else if (r.value > 0 && r.value <= r.t_ns) {
          // The acquisition fell out of the journal: the release says how long it was held.
          raw.push_back({LockSpan::Kind::Holding, static_cast<shmipc::Role>(r.role), pid,
                         r.t_ns - r.value, r.t_ns, false});
        }
        s.holding = false;
        break;
      }
      case JournalKind::Leave:
        close_all(pid, r.t_ns);
        break;
      case JournalKind::PeerDied:
      case JournalKind::OwnerDied: {
        const auto dead = static_cast<std::uint32_t>(r.value);
        if (dead != 0) close_all(dead, r.t_ns);
        break;
      }
      default:
        break;
    }
  }
  for (auto& [pid, s] : state) {
    if (s.waiting && s.wait_since < to_ns) {
      raw.push_back({LockSpan::Kind::Waiting, s.role, pid, s.wait_since, to_ns, true});
    }
    if (s.holding && s.hold_since < to_ns) {
      raw.push_back({LockSpan::Kind::Holding, s.role, pid, s.hold_since, to_ns, true});
    }
  }

  // Pass 2: split every hold where another pid waited into contended pieces, and clip.
  std::vector<LockSpan> out;
  auto emit = [&](const RawSpan& r, LockSpan::Kind kind, std::uint64_t b, std::uint64_t e,
                  std::uint32_t waiter) {
    b = std::max(b, from_ns);
    e = std::min(e, to_ns);
    if (e <= b) return;
    LockSpan s;
    s.kind = kind;
    s.role = r.role;
    s.pid = r.pid;
    s.begin_ns = b;
    s.end_ns = e;
    s.open = r.open && e == std::min(r.end, to_ns);
    s.waiter_pid = waiter;
    out.push_back(s);
  };
  // Only spans that reach into the window matter; waits sorted by start with a running
  // maximum of their ends let each hold find the waits overlapping it without a full scan
  // (the journal can hold thousands of lock records).
  std::erase_if(raw, [&](const RawSpan& r) { return r.end <= from_ns || r.begin >= to_ns; });
  std::vector<const RawSpan*> waits;
  for (const RawSpan& r : raw) {
    if (r.kind == LockSpan::Kind::Waiting) waits.push_back(&r);
  }
  std::sort(waits.begin(), waits.end(),
            [](const RawSpan* a, const RawSpan* b) { return a->begin < b->begin; });
  std::vector<std::uint64_t> max_end(waits.size());
  for (std::size_t i = 0; i < waits.size(); ++i) {
    max_end[i] = std::max(waits[i]->end, i ? max_end[i - 1] : 0);
  }
  std::vector<const RawSpan*> overlapping;
  for (const RawSpan& r : raw) {
    if (r.kind == LockSpan::Kind::Waiting) {
      emit(r, LockSpan::Kind::Waiting, r.begin, r.end, 0);
      continue;
    }
    overlapping.clear();
    auto it = std::lower_bound(waits.begin(), waits.end(), r.end,
                               [](const RawSpan* w, std::uint64_t t) { return w->begin < t; });
    for (auto i = static_cast<std::size_t>(it - waits.begin()); i-- > 0;) {
      if (max_end[i] <= r.begin) break;  // no earlier wait reaches into this hold
      const RawSpan* w = waits[i];
      if (w->pid != r.pid && w->end > r.begin) overlapping.push_back(w);
    }
    if (overlapping.empty()) {
      emit(r, LockSpan::Kind::Holding, r.begin, r.end, 0);
      continue;
    }
    std::vector<std::uint64_t> cuts{r.begin, r.end};
    for (const RawSpan* w : overlapping) {
      cuts.push_back(std::max(w->begin, r.begin));
      cuts.push_back(std::min(w->end, r.end));
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    LockSpan::Kind cur_kind = LockSpan::Kind::Holding;
    std::uint32_t cur_waiter = 0;
    std::uint64_t cur_begin = r.begin;
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
      const std::uint64_t mid = cuts[i] + (cuts[i + 1] - cuts[i]) / 2;
      std::uint32_t waiter = 0;
      for (const RawSpan* w : overlapping) {
        if (w->begin <= mid && mid < w->end) {
          waiter = w->pid;
          break;
        }
      }
      const LockSpan::Kind k = waiter ? LockSpan::Kind::HoldingContended : LockSpan::Kind::Holding;
      if (i == 0) {
        cur_kind = k;
        cur_waiter = waiter;
      } else if (k != cur_kind) {
        emit(r, cur_kind, cur_begin, cuts[i], cur_waiter);
        cur_begin = cuts[i];
        cur_kind = k;
        cur_waiter = waiter;
      }
    }
    emit(r, cur_kind, cur_begin, r.end, cur_waiter);
  }
  std::sort(out.begin(), out.end(), [](const LockSpan& a, const LockSpan& b) {
    return a.begin_ns != b.begin_ns ? a.begin_ns < b.begin_ns : a.pid < b.pid;
  });
  return out;
}

Metrics SessionHistory::metrics(std::uint64_t now_ns) const {
  Metrics m;
  constexpr std::uint64_t kSecond = 1'000'000'000ULL;
  constexpr std::size_t kSeries = 60;
  m.messages_per_second_series.assign(kSeries, 0.0f);
  std::map<std::uint64_t, std::uint64_t> written_at;  // message sequence -> time written
  for (const shmipc::JournalItem& item : journal_) {
    const shmipc::JournalRecord& r = item.record;
    switch (kind_of(item)) {
      case JournalKind::MessageWritten:
        written_at[r.value] = r.t_ns;
        break;
      case JournalKind::MessageRead: {
        if (r.t_ns <= now_ns && now_ns - r.t_ns < kSecond) m.messages_per_second += 1;
        if (r.t_ns <= now_ns) {
          const std::uint64_t age_s = (now_ns - r.t_ns) / kSecond;
          if (age_s < kSeries) m.messages_per_second_series[kSeries - 1 - age_s] += 1;
        }
        auto w = written_at.find(r.value);
        if (w != written_at.end() && r.t_ns >= w->second) {
          m.handoff_latency_us.push_back(static_cast<double>(r.t_ns - w->second) / 1000.0);
          written_at.erase(w);
        }
        break;
      }
      case JournalKind::LockReleased:
        m.hold_time_us.push_back(static_cast<double>(r.value) / 1000.0);
        break;
      default:
        break;
    }
    if (written_at.size() > 4 * kMetricSamples) written_at.erase(written_at.begin());
  }
  auto keep_recent = [](std::vector<double>& v) {
    if (v.size() > kMetricSamples) v.erase(v.begin(), v.end() - kMetricSamples);
  };
  keep_recent(m.handoff_latency_us);
  keep_recent(m.hold_time_us);
  return m;
}

}  // namespace shmscope
