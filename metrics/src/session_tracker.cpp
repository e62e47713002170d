#include <limits>

#include "shmipc/journal.hpp"
#include "shmmetrics/session_metrics.hpp"

namespace shmmetrics {

void MonotonicCounter::see(std::uint64_t value) noexcept {
  if (value < last_) restart();
  last_ = value;
}

void MonotonicCounter::restart() noexcept {
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  base_ = last_ > kMax - base_ ? kMax : base_ + last_;
  last_ = 0;
}

std::uint64_t MonotonicCounter::total() const noexcept {
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  return last_ > kMax - base_ ? kMax : base_ + last_;
}

namespace {

template <typename F>
void each_counter(BlockCounters& c, F&& f) {
  f(c.mutex_acquisitions);
  f(c.mutex_contended);
  f(c.mutex_held_ns);
  f(c.mutex_owner_deaths);
  f(c.journal_records);
  for (auto& e : c.events_set) f(e);
  for (auto& e : c.events_consumed) f(e);
}

std::string first_problem(const shmipc::Snapshot& copy) {
  if (copy.problems.empty()) return {};
  const auto& p = copy.problems.front();
  return p.field + ": " + p.problem;
}

}  // namespace

SessionTracker::SessionTracker(std::string name, std::uint64_t exporter_started_ns)
    : exporter_started_ns_(exporter_started_ns) {
  metrics_.name = std::move(name);
}

void SessionTracker::unreadable(const std::string& reason, bool stale) {
  metrics_.corrupt = true;
  metrics_.corrupt_reason = reason;
  metrics_.problems = 1;
  metrics_.stale = stale;
}

void SessionTracker::update(const shmipc::Snapshot& copy, bool stale) {
  metrics_.stale = stale;
  if (copy.corrupt()) {
    // Its values cannot be trusted: the counters keep their last good totals.
    metrics_.corrupt = true;
    metrics_.corrupt_reason = first_problem(copy);
    metrics_.problems = copy.problems.size();
    return;
  }
  metrics_.corrupt = false;
  metrics_.corrupt_reason.clear();
  metrics_.problems = 0;
  if (!copy.header.ready) return;  // being set up: nothing to count yet

  const BlockIdentity identity{copy.header.created_monotonic_ns, copy.header.created_realtime_ns,
                               copy.header.creator_pid, copy.header.session_epoch};
  if (!followed_) {
    followed_ = true;
    const bool older = copy.header.created_monotonic_ns < exporter_started_ns_;
    journal_from_ = older && copy.journal_next > shmipc::kJournalCapacity
                        ? copy.journal_next - shmipc::kJournalCapacity
                        : 0;
  } else if (!(identity == identity_)) {
    // A new block under the same name: every record of it is new to us.
    ++metrics_.recreations;
    each_counter(metrics_.block, [](MonotonicCounter& c) { c.restart(); });
    reducer_.restart();
    journal_from_ = 0;
  } else if (copy.journal_next < journal_from_) {
    reducer_.restart();  // the journal went backwards in the same block: follow it afresh
    journal_from_ = 0;
  }
  identity_ = identity;

  const shmipc::JournalRead read = shmipc::journal_decode(copy.raw, journal_from_);
  reducer_.add(read);
  journal_from_ = read.next;

  BlockCounters& b = metrics_.block;
  b.mutex_acquisitions.see(copy.mutex.lock_count);
  b.mutex_contended.see(copy.mutex.contended_count);
  b.mutex_held_ns.see(copy.mutex.total_hold_ns);
  b.mutex_owner_deaths.see(copy.mutex.owner_died_count);
  b.journal_records.see(copy.journal_next);
  for (std::size_t i = 0; i < shmipc::kEventCount; ++i) {
    b.events_set[i].see(copy.events[i].times_set);
    b.events_consumed[i].see(copy.events[i].times_consumed);
  }

  SessionGauges& g = metrics_.gauges;
  g.peers_alive = {};
  for (const auto& p : copy.participants) {
    if (!p.in_use() || !p.alive) continue;
    for (std::size_t r = 0; r < kPeerRoles.size(); ++r)
      if (p.role == kPeerRoles[r]) ++g.peers_alive[r];
  }
  g.mutex_held = copy.mutex.held();
  g.mutex_waiters = copy.mutex.waiters;
  g.message_sequence = copy.message.message_sequence;
  g.message_read_sequence = copy.message.message_read_sequence;
  g.epoch = copy.header.session_epoch;
  g.step_mode = copy.step_mode;
  sync_totals();
}

void SessionTracker::sync_totals() {
  metrics_.journal = reducer_.totals();
}

}  // namespace shmmetrics
