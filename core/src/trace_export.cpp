#include "shmipc/trace_export.hpp"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "shmipc/journal.hpp"
#include "shmipc/narration.hpp"

namespace shmipc {

namespace {

using nlohmann::json;

// Flow arrows bind to the slice around their timestamp, so every set and consume also gets a
// slice this long (microseconds): short enough not to hide anything, long enough to click.
constexpr double kMarkUs = 1.0;

std::string preview_of(const JournalRecord& r) {
  std::string s(r.preview, ::strnlen(r.preview, kPreviewBytes));
  for (char& c : s)
    if (c < 0x20 || c >= 0x7f) c = '.';
  return s;
}

std::string event_label(std::uint32_t e) {
  return e < kEventCount ? std::string(event_name(static_cast<EventId>(e)))
                         : "event " + std::to_string(e);
}

}  // namespace

std::string chrome_trace_json(const std::vector<JournalRecord>& records,
                              const std::map<std::uint32_t, std::string>& names) {
  json events = json::array();
  if (records.empty()) return json{{"traceEvents", events}, {"displayTimeUnit", "ns"}}.dump(1);

  std::uint64_t t0 = records.front().t_ns;
  std::uint64_t t_end = records.front().t_ns;
  for (const auto& r : records) {
    t0 = std::min(t0, r.t_ns);
    t_end = std::max(t_end, r.t_ns);
  }
  auto us = [&](std::uint64_t t) { return static_cast<double>(t - t0) / 1000.0; };

  // One track per process, named once.
  std::map<std::uint32_t, Role> role_of;
  for (const auto& r : records)
    if (!role_of.count(r.pid) || role_of[r.pid] == Role::None)
      role_of[r.pid] = static_cast<Role>(r.role);
  int sort_index = 0;
  for (const auto& [pid, role] : role_of) {
    auto it = names.find(pid);
    std::string label = it != names.end() ? it->second : std::string(role_name(role));
    label += " (pid " + std::to_string(pid) + ")";
    events.push_back({{"name", "process_name"},
                      {"ph", "M"},
                      {"pid", pid},
                      {"tid", pid},
                      {"args", {{"name", label}}}});
    events.push_back({{"name", "process_sort_index"},
                      {"ph", "M"},
                      {"pid", pid},
                      {"tid", pid},
                      {"args", {{"sort_index", sort_index++}}}});
  }

  struct Open {
    std::uint64_t t = 0;
    std::uint32_t tid = 0;
  };
  std::map<std::uint32_t, Open> lock_wait, lock_hold;  // by pid
  struct PendingSet {
    std::uint64_t id;
    std::uint64_t t;
  };
  std::map<std::uint32_t, std::vector<PendingSet>> unconsumed;  // by event
  std::uint64_t next_flow = 1;

  auto slice = [&](const std::string& name, const std::string& cat, std::uint32_t pid,
                   std::uint32_t tid, double ts, double dur, json args = json::object()) {
    events.push_back({{"name", name},
                      {"cat", cat},
                      {"ph", "X"},
                      {"pid", pid},
                      {"tid", tid},
                      {"ts", ts},
                      {"dur", std::max(dur, 0.001)},
                      {"args", args}});
  };

  for (const auto& r : records) {
    const auto kind = static_cast<JournalKind>(r.kind);
    const double ts = us(r.t_ns);
    json args = {{"narration", narrate_record(r)}};
    if (r.arg != 0) args["arg"] = r.arg;
    if (r.value != 0) args["value"] = r.value;
    if (r.preview[0] != '\0') args["preview"] = preview_of(r);
    // A thread-scoped instant at this record, carrying its narration and arguments.
    auto instant = [&](const std::string& name, const char* cat) {
      events.push_back({{"name", name},
                        {"cat", cat},
                        {"ph", "i"},
                        {"s", "t"},
                        {"pid", r.pid},
                        {"tid", r.tid},
                        {"ts", ts},
                        {"args", args}});
    };
    switch (kind) {
      case JournalKind::LockRequested:
        lock_wait[r.pid] = {r.t_ns, r.tid};
        break;
      case JournalKind::LockAcquired:
        if (auto w = lock_wait.find(r.pid); w != lock_wait.end()) {
          slice("waits for the mutex", "mutex", r.pid, w->second.tid, us(w->second.t),
                us(r.t_ns) - us(w->second.t));
          lock_wait.erase(w);
        }
        lock_hold[r.pid] = {r.t_ns, r.tid};
        break;
      case JournalKind::LockReleased:
        if (auto h = lock_hold.find(r.pid); h != lock_hold.end()) {
          slice("holds the mutex", "mutex", r.pid, h->second.tid, us(h->second.t),
                us(r.t_ns) - us(h->second.t), args);
          lock_hold.erase(h);
        }
        break;
      case JournalKind::OwnerDied:
        // The dead owner's hold ends where its successor recovered the mutex.
        if (auto h = lock_hold.find(static_cast<std::uint32_t>(r.value)); h != lock_hold.end()) {
          slice("holds the mutex (died holding it)", "mutex", h->first, h->second.tid,
                us(h->second.t), us(r.t_ns) - us(h->second.t));
          lock_hold.erase(h);
        }
        instant("OwnerDied", "protocol");
        break;
      case JournalKind::EventSet: {
        const std::string name = "set " + event_label(r.arg);
        instant(name, "event");
        slice(name, "event", r.pid, r.tid, ts, kMarkUs);
        const std::uint64_t id = next_flow++;
        events.push_back({{"name", event_label(r.arg)},
                          {"cat", "flow"},
                          {"ph", "s"},
                          {"id", id},
                          {"pid", r.pid},
                          {"tid", r.tid},
                          {"ts", ts}});
        unconsumed[r.arg].push_back({id, r.t_ns});
        break;
      }
      case JournalKind::EventConsumed: {
        const std::string name = "woke on " + event_label(r.arg);
        instant(name, "event");
        slice(name, "event", r.pid, r.tid, ts, kMarkUs);
        // An auto-reset event coalesces sets: the consume answers the latest set before it.
        auto& sets = unconsumed[r.arg];
        if (!sets.empty()) {
          events.push_back({{"name", event_label(r.arg)},
                            {"cat", "flow"},
                            {"ph", "f"},
                            {"bp", "e"},
                            {"id", sets.back().id},
                            {"pid", r.pid},
                            {"tid", r.tid},
                            {"ts", ts}});
          sets.clear();
        }
        break;
      }
      default:
        instant(std::string(journal_kind_name(kind)), "protocol");
        break;
    }
  }
  // A holder that never released (killed holding the mutex): its slice runs to the end.
  for (const auto& [pid, h] : lock_hold)
    slice("holds the mutex (never released: died holding it)", "mutex", pid, h.tid, us(h.t),
          us(t_end) - us(h.t));
  return json{{"traceEvents", events}, {"displayTimeUnit", "ns"}}.dump(1);
}

}  // namespace shmipc
