// `shmipc status`: the block as an observer sees it, as text or JSON. Read-only: it opens
// the segment through shmipc::Observer, which never maps it writable nor takes the mutex.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <sstream>
#include <string>

#include "commands.hpp"
#include "shmipc/clock.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/liveness.hpp"
#include "shmipc/observer.hpp"

namespace shmcli {

namespace {

// Ages are computed against our own monotonic clock; a timestamp from the future (a corrupt
// or hostile block) shows as 0 rather than wrapping around.
double age_ms(std::uint64_t then_ns, std::uint64_t now_ns) {
  if (then_ns == 0 || then_ns > now_ns) return 0;
  return static_cast<double>(now_ns - then_ns) / 1e6;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace

std::string status_text(const std::string& session, const shmipc::Snapshot& snap,
                        std::optional<std::uint64_t> recorded_at_ns) {
  // A recorded block is shown as it was at its instant: ages against that instant, and no
  // liveness probe (the pids were another moment's, perhaps another machine's).
  const std::uint64_t now = recorded_at_ns ? *recorded_at_ns : shmipc::monotonic_ns();
  std::ostringstream out;
  out << "session " << session << "  (layout " << snap.header.layout_version << ", epoch "
      << snap.header.session_epoch << (snap.header.ready ? "" : ", NOT READY")
      << (snap.step_mode ? ", step mode ON" : "") << ")\n";
  out << "participants:\n";
  bool any = false;
  for (std::size_t i = 0; i < snap.participants.size(); ++i) {
    const auto& p = snap.participants[i];
    if (!p.in_use()) continue;
    any = true;
    const std::string_view live =
        recorded_at_ns ? std::string_view("joined")
                       : shmipc::liveness_name(shmipc::liveness_of(p.alive, p.pid, p.activity,
                                                                   p.heartbeat_ns, now));
    out << "  slot " << i << "  " << shmipc::role_name(p.role) << "  pid " << p.pid << "  "
        << live << "  " << shmipc::activity_name(p.activity) << "  "
        << shmipc::mode_name(p.mode) << "  heartbeat "
        << fixed(age_ms(p.heartbeat_ns, now) / 1000, 1) << " s ago\n";
  }
  if (!any) out << "  (none)\n";
  const auto& m = snap.message;
  out << "block:  processID " << m.process_id << "  childAck " << (m.child_ack ? 1 : 0)
      << (m.child_ack && m.ack_pid != 0 ? " (pid " + std::to_string(m.ack_pid) + ")" : "")
      << "  dataSize " << m.data_size_raw << "  sequence " << m.message_sequence << "  read "
      << m.message_read_sequence << "  checksum " << (m.checksum_ok ? "ok" : "BAD")
      << (m.consistent ? "" : "  (write in progress or torn)") << "\n";
  if (m.data_size_valid && m.data_size > 0)
    out << "data:   \"" << printable(std::string_view(m.data.data(), m.data_size)) << "\"\n";
  const auto& mx = snap.mutex;
  if (mx.held())
    out << "mutex:  HELD by pid " << mx.owner_pid << " (" << shmipc::role_name(mx.owner_role)
        << ", tid " << mx.owner_tid << ") for " << fixed(age_ms(mx.owner_since_ns, now), 1)
        << " ms";
  else
    out << "mutex:  free";
  out << "  waiters " << mx.live_waiters()
      << (mx.stale_waiters > 0 ? " (+" + std::to_string(mx.stale_waiters) + " stale: died waiting)"
                               : "")
      << "  locks " << mx.lock_count << "  contended "
      << mx.contended_count << "  owner died " << mx.owner_died_count << "\n";
  out << "events:\n";
  for (std::size_t i = 0; i < snap.events.size(); ++i) {
    const auto& e = snap.events[i];
    char line[160];
    std::snprintf(line, sizeof line, "  %-17s %-10s set %-8llu consumed %-8llu waiters %u",
                  std::string(shmipc::event_name(static_cast<shmipc::EventId>(i))).c_str(),
                  e.signalled ? "SIGNALLED" : "clear", static_cast<unsigned long long>(e.times_set),
                  static_cast<unsigned long long>(e.times_consumed), e.live_waiters());
    out << line;
    // A dead waiter's slot is not a waiter: said apart, so the count above stays true.
    if (e.stale_waiters > 0) out << " (+" << e.stale_waiters << " stale: its process is gone)";
    out << "\n";
  }
  if (snap.problems.empty()) {
    out << "problems: none\n";
  } else {
    out << "problems:\n";
    for (const auto& p : snap.problems) out << "  " << p.field << ": " << p.problem << "\n";
  }
  return out.str();
}

std::string status_json(const std::string& session, const shmipc::Snapshot& snap,
                        std::optional<std::uint64_t> recorded_at_ns) {
  using json = nlohmann::ordered_json;  // keys in the order written, as a person reads them
  const std::uint64_t now = recorded_at_ns ? *recorded_at_ns : shmipc::monotonic_ns();
  json j;
  j["session"] = session;
  j["ready"] = snap.header.ready;
  j["layoutVersion"] = snap.header.layout_version;
  j["epoch"] = snap.header.session_epoch;
  j["stepMode"] = snap.step_mode;
  json participants = json::array();
  json parent = nullptr, child = nullptr;
  for (std::size_t i = 0; i < snap.participants.size(); ++i) {
    const auto& p = snap.participants[i];
    if (!p.in_use()) continue;
    json e = {{"slot", i},
              {"role", std::string(shmipc::role_name(p.role))},
              {"pid", p.pid},
              {"alive", p.alive},
              {"liveness", recorded_at_ns ? std::string("joined")
                                          : std::string(shmipc::liveness_name(shmipc::liveness_of(
                                                p.alive, p.pid, p.activity, p.heartbeat_ns, now)))},
              {"activity", std::string(shmipc::activity_name(p.activity))},
              {"mode", std::string(shmipc::mode_name(p.mode))},
              {"heartbeatAgeMs", age_ms(p.heartbeat_ns, now)}};
    if (p.role == shmipc::Role::Parent) parent = {{"pid", p.pid}, {"alive", p.alive}};
    if (p.role == shmipc::Role::Child) child = {{"pid", p.pid}, {"alive", p.alive}};
    participants.push_back(std::move(e));
  }
  j["participants"] = std::move(participants);
  j["parent"] = std::move(parent);
  j["child"] = std::move(child);
  const auto& m = snap.message;
  j["processId"] = m.process_id;
  j["childAck"] = m.child_ack;
  j["ackPid"] = m.ack_pid;
  j["dataSize"] = m.data_size_raw;
  j["dataSizeValid"] = m.data_size_valid;
  j["sequence"] = m.message_sequence;
  j["readSequence"] = m.message_read_sequence;
  j["checksumOk"] = m.checksum_ok;
  j["consistent"] = m.consistent;
  j["writerPid"] = m.writer_pid;
  j["data"] = m.data_size_valid ? std::string(m.data.data(), m.data_size) : std::string();
  const auto& mx = snap.mutex;
  j["mutex"] = {{"held", mx.held()},
                {"ownerPid", mx.owner_pid},
                {"ownerTid", mx.owner_tid},
                {"ownerRole", std::string(shmipc::role_name(mx.owner_role))},
                {"heldForMs", mx.held() ? age_ms(mx.owner_since_ns, now) : 0.0},
                {"waiters", mx.live_waiters()},
                {"staleWaiters", mx.stale_waiters},
                {"lockCount", mx.lock_count},
                {"contendedCount", mx.contended_count},
                {"ownerDiedCount", mx.owner_died_count},
                {"lastDeadOwnerPid", mx.last_dead_owner_pid}};
  json events = json::array();
  for (std::size_t i = 0; i < snap.events.size(); ++i) {
    const auto& e = snap.events[i];
    events.push_back({{"name", std::string(shmipc::event_name(static_cast<shmipc::EventId>(i)))},
                      {"signalled", e.signalled},
                      {"timesSet", e.times_set},
                      {"timesConsumed", e.times_consumed},
                      {"waiters", e.live_waiters()},
                      {"staleWaiters", e.stale_waiters},
                      {"lastSetterPid", e.last_setter_pid},
                      {"lastConsumerPid", e.last_consumer_pid}});
  }
  j["events"] = std::move(events);
  j["journalNext"] = snap.journal_next;
  json problems = json::array();
  for (const auto& p : snap.problems)
    problems.push_back({{"field", p.field}, {"problem", p.problem}, {"offset", p.offset}});
  j["problems"] = std::move(problems);
  // Message bytes need not be UTF-8: replace invalid sequences instead of failing.
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

int run_status(Arguments& args) {
  const std::string name = args.session();
  const bool as_json = args.flag("json");
  args.finish();
  auto observer = shmipc::Observer::open(name);
  const shmipc::Snapshot snap = observer->snapshot();
  const std::string text = as_json ? status_json(name, snap) : status_text(name, snap);
  std::fputs(text.c_str(), stdout);
  return 0;
}

}  // namespace shmcli
