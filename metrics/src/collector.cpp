#include "shmmetrics/collector.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <optional>

#include "shmipc/clock.hpp"
#include "shmipc/error.hpp"
#include "shmipc/observer.hpp"
#include "shmipc/session.hpp"

namespace shmmetrics {

struct Collector::Tracked {
  SessionTracker tracker;
  bool present = false;
  std::chrono::steady_clock::time_point last_seen;
};

namespace {

// One session's reading this poll, taken without holding the collector's lock.
struct Reading {
  std::string name;
  enum class Kind { Copied, Unreadable } kind = Kind::Copied;
  std::optional<shmipc::Snapshot> copy;
  std::string problem;
  bool stale = false;
};

// Segments of other users are not this user's sessions (and their owner check would fail);
// a segment removed since it was listed is simply gone.
bool ours_and_there(const std::string& name) {
  struct stat st {};
  const std::string path = "/dev/shm/shmscope." + name;
  return ::stat(path.c_str(), &st) == 0 && st.st_uid == ::geteuid();
}

std::optional<Reading> read_session(const shmipc::SessionInfo& info) {
  if (!ours_and_there(info.name)) return std::nullopt;
  Reading r;
  r.name = info.name;
  r.stale = info.stale;
  if (info.foreign) {
    r.kind = Reading::Kind::Unreadable;
    r.problem = info.problem;
    return r;
  }
  if (!info.problem.empty()) {
    // Being set up: counted from the next poll on. A set-up that never finished (its creator
    // died; no live member) is a broken block worth an alert: reported as corrupt.
    if (!info.stale) return std::nullopt;
    r.kind = Reading::Kind::Unreadable;
    r.problem = info.problem;
    return r;
  }
  try {
    auto observer = shmipc::Observer::open(info.name);
    r.copy = observer->snapshot();
  } catch (const shmipc::Error& e) {
    if (e.code() == shmipc::ErrorCode::NotFound) return std::nullopt;  // gone meanwhile
    r.kind = Reading::Kind::Unreadable;
    r.problem = e.what();
  }
  return r;
}

}  // namespace

Collector::Collector(CollectorOptions options)
    : options_(options), started_ns_(shmipc::monotonic_ns()) {}

Collector::~Collector() = default;

void Collector::poll() {
  const auto began = std::chrono::steady_clock::now();
  std::vector<Reading> readings;
  for (const auto& info : shmipc::list_sessions()) {
    try {
      if (auto r = read_session(info)) readings.push_back(std::move(*r));
    } catch (const std::exception& e) {
      // Whatever one block does (an allocation it provoked, a system call failing on it) must
      // not stop the others from being reported.
      Reading r;
      r.name = info.name;
      r.kind = Reading::Kind::Unreadable;
      r.problem = e.what();
      readings.push_back(std::move(r));
    }
  }
  const auto now = std::chrono::steady_clock::now();

  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [name, t] : tracked_) t->present = false;
  for (const Reading& r : readings) {
    auto& slot = tracked_[r.name];
    if (!slot) slot.reset(new Tracked{SessionTracker(r.name, started_ns_), false, now});
    slot->present = true;
    slot->last_seen = now;
    if (r.kind == Reading::Kind::Copied)
      slot->tracker.update(*r.copy, r.stale);
    else
      slot->tracker.unreadable(r.problem, r.stale);
  }
  stats_.sessions = 0;
  stats_.remembered = 0;
  for (auto it = tracked_.begin(); it != tracked_.end();) {
    if (it->second->present) {
      ++stats_.sessions;
    } else if (now - it->second->last_seen > options_.forget_after) {
      it = tracked_.erase(it);
      continue;
    } else {
      ++stats_.remembered;
    }
    ++it;
  }
  ++stats_.polls;
  stats_.last_poll_ns = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now - began).count());
}

std::vector<SessionMetrics> Collector::sessions(const std::set<std::string>& only) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<SessionMetrics> out;
  for (const auto& [name, t] : tracked_) {
    if (!t->present) continue;
    if (!only.empty() && only.count(name) == 0) continue;
    out.push_back(t->tracker.metrics());
  }
  return out;
}

CollectorStats Collector::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

}  // namespace shmmetrics
