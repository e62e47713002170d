#include "shmmetrics/openmetrics.hpp"

#include <functional>

#include "shmipc/journal.hpp"

namespace shmmetrics {

namespace {

enum class Type { Counter, Gauge };

class Writer {
 public:
  explicit Writer(const std::vector<SessionMetrics>& sessions) : sessions_(sessions) {}

  // A counter family: name without "_total"; each sample is name_total.
  void counter(std::string_view name, std::string_view unit, std::string_view help,
               const std::function<std::uint64_t(const SessionMetrics&)>& value) {
    header(name, "counter", unit, help);
    for (const auto& s : sessions_) sample(name, "_total", s, "", std::to_string(value(s)));
  }

  void counter_seconds(std::string_view name, std::string_view help,
                       const std::function<std::uint64_t(const SessionMetrics&)>& ns) {
    header(name, "counter", "seconds", help);
    for (const auto& s : sessions_) sample(name, "_total", s, "", ns_as_seconds(ns(s)));
  }

  // One counter per event (label event="SendMessage").
  void event_counter(std::string_view name, std::string_view help,
                     const std::function<std::uint64_t(const SessionMetrics&, std::size_t)>& value) {
    header(name, "counter", "", help);
    for (const auto& s : sessions_)
      for (std::size_t i = 0; i < shmipc::kEventCount; ++i)
        sample(name, "_total", s,
               ",event=\"" +
                   std::string(shmipc::event_name(static_cast<shmipc::EventId>(i))) + "\"",
               std::to_string(value(s, i)));
  }

  void gauge(std::string_view name, std::string_view help,
             const std::function<std::uint64_t(const SessionMetrics&)>& value) {
    header(name, "gauge", "", help);
    for (const auto& s : sessions_) sample(name, "", s, "", std::to_string(value(s)));
  }

  void peers_gauge(std::string_view name, std::string_view help) {
    header(name, "gauge", "", help);
    for (const auto& s : sessions_)
      for (std::size_t r = 0; r < kPeerRoles.size(); ++r)
        sample(name, "", s, ",role=\"" + std::string(shmipc::role_name(kPeerRoles[r])) + "\"",
               std::to_string(s.gauges.peers_alive[r]));
  }

  void histogram(std::string_view name, std::string_view help,
                 const std::function<const Histogram&(const SessionMetrics&)>& of) {
    header(name, "histogram", "seconds", help);
    for (const auto& s : sessions_) {
      const Histogram& h = of(s);
      for (std::size_t i = 0; i < Histogram::bounds(); ++i)
        sample(name, "_bucket", s, ",le=\"" + ns_as_seconds(kBucketBoundsNs[i]) + "\"",
               std::to_string(h.cumulative(i)));
      sample(name, "_bucket", s, ",le=\"+Inf\"", std::to_string(h.count()));
      sample(name, "_sum", s, "", ns_as_seconds(h.sum_ns()));
      sample(name, "_count", s, "", std::to_string(h.count()));
    }
  }

  // A family with no session label (about the exporter itself).
  void plain(std::string_view name, std::string_view type, std::string_view suffix,
             std::string_view unit, std::string_view help, const std::string& value) {
    header(name, type, unit, help);
    out_ += std::string(name) + std::string(suffix) + " " + value + "\n";
  }

  std::string finish() {
    out_ += "# EOF\n";
    return std::move(out_);
  }

 private:
  void header(std::string_view name, std::string_view type, std::string_view unit,
              std::string_view help) {
    out_ += "# TYPE " + std::string(name) + " " + std::string(type) + "\n";
    if (!unit.empty()) out_ += "# UNIT " + std::string(name) + " " + std::string(unit) + "\n";
    out_ += "# HELP " + std::string(name) + " " + std::string(help) + "\n";
  }

  void sample(std::string_view name, std::string_view suffix, const SessionMetrics& s,
              const std::string& more_labels, const std::string& value) {
    out_ += std::string(name) + std::string(suffix) + "{session=\"" +
            escape_label_value(s.name) + "\"" + more_labels + "} " + value + "\n";
  }

  const std::vector<SessionMetrics>& sessions_;
  std::string out_;
};

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string render_openmetrics(const std::vector<SessionMetrics>& sessions,
                               const CollectorStats& stats) {
  using S = SessionMetrics;
  Writer w(sessions);
  // From the journal (records followed by sequence number; short by the records lost).
  w.counter("shmipc_messages_delivered", "",
            "Messages the parent read and delivered (journal MessageRead, not withdrawn).",
            [](const S& s) { return s.journal.messages_delivered; });
  w.counter("shmipc_messages_sent", "", "Messages the child wrote (journal MessageWritten records).",
            [](const S& s) { return s.journal.messages_sent; });
  w.counter("shmipc_messages_overwritten", "",
            "Messages overwritten before the parent read them (seed-faithful mode).",
            [](const S& s) { return s.journal.messages_overwritten; });
  w.counter("shmipc_messages_withdrawn", "",
            "Messages their sender withdrew after its receipt wait ran out.",
            [](const S& s) { return s.journal.messages_withdrawn; });
  w.counter("shmipc_messages_refused", "", "Messages refused for being over 1000 bytes.",
            [](const S& s) { return s.journal.messages_refused; });
  w.counter("shmipc_commands_sent", "", "Commands (KILL_APP, PING) the child posted.",
            [](const S& s) { return s.journal.commands_sent; });
  w.counter("shmipc_torn_writes", "",
            "Torn message writes found (a writer died mid-write or skipped the mutex).",
            [](const S& s) { return s.journal.torn_writes; });
  w.counter("shmipc_checksum_failures", "", "Messages whose CRC-32 did not match when read.",
            [](const S& s) { return s.journal.checksum_failures; });
  w.counter("shmipc_peer_deaths", "", "Participants found dead (journal PeerDied records).",
            [](const S& s) { return s.journal.peer_deaths; });
  w.counter("shmipc_event_timeouts", "", "Bounded event waits that ran out.",
            [](const S& s) { return s.journal.event_timeouts; });
  w.counter("shmipc_injections", "", "Actions an observer injected into the block.",
            [](const S& s) { return s.journal.injections; });
  w.histogram("shmipc_handoff_latency_seconds",
              "Time from a message's MessageWritten record to its MessageRead record.",
              [](const S& s) -> const Histogram& { return s.journal.handoff; });
  w.histogram("shmipc_mutex_hold_seconds",
              "How long each mutex acquisition was held (journal LockReleased records).",
              [](const S& s) -> const Histogram& { return s.journal.mutex_hold; });
  w.counter("shmipc_journal_records_read", "", "Journal records the exporter read.",
            [](const S& s) { return s.journal.records; });
  w.counter("shmipc_journal_records_lost", "",
            "Journal records overwritten by the ring before the exporter read them.",
            [](const S& s) { return s.journal.records_lost; });
  // From the block's own counters (exact whatever the journal lost).
  w.counter("shmipc_journal_records", "", "Journal records appended (journal.next).",
            [](const S& s) { return s.block.journal_records.total(); });
  w.counter("shmipc_mutex_acquisitions", "", "Successful acquisitions of the session mutex.",
            [](const S& s) { return s.block.mutex_acquisitions.total(); });
  w.counter("shmipc_mutex_contended", "", "Acquisitions of the mutex that had to wait.",
            [](const S& s) { return s.block.mutex_contended.total(); });
  w.counter_seconds("shmipc_mutex_held_seconds", "Total time the mutex was held.",
                    [](const S& s) { return s.block.mutex_held_ns.total(); });
  w.counter("shmipc_mutex_owner_deaths", "",
            "Times the mutex owner died holding it (EOWNERDEAD recoveries).",
            [](const S& s) { return s.block.mutex_owner_deaths.total(); });
  w.event_counter("shmipc_events_set", "Times each auto-reset event was set.",
                  [](const S& s, std::size_t i) { return s.block.events_set[i].total(); });
  w.event_counter("shmipc_events_consumed", "Times each event was consumed by a waiter.",
                  [](const S& s, std::size_t i) { return s.block.events_consumed[i].total(); });
  w.counter("shmipc_block_recreations", "",
            "Times a new block replaced the session's block the exporter followed.",
            [](const S& s) { return s.recreations; });
  // Gauges of the last good copy.
  w.peers_gauge("shmipc_peers_alive", "Live participants by role (kernel role locks).");
  w.gauge("shmipc_mutex_held", "1 while some process holds the session mutex.",
          [](const S& s) { return s.gauges.mutex_held ? 1 : 0; });
  w.gauge("shmipc_mutex_waiters", "Threads waiting for the session mutex.",
          [](const S& s) { return s.gauges.mutex_waiters; });
  w.gauge("shmipc_message_sequence", "Sequence number of the last message written.",
          [](const S& s) { return s.gauges.message_sequence; });
  w.gauge("shmipc_message_read_sequence", "Sequence number of the last message the parent read.",
          [](const S& s) { return s.gauges.message_read_sequence; });
  w.gauge("shmipc_session_epoch", "Times the session's block was reclaimed from dead processes.",
          [](const S& s) { return s.gauges.epoch; });
  w.gauge("shmipc_session_step_mode", "1 while the session is in step mode.",
          [](const S& s) { return s.gauges.step_mode ? 1 : 0; });
  w.gauge("shmipc_session_stale", "1 when no live process holds the session (shmipc clean).",
          [](const S& s) { return s.stale ? 1 : 0; });
  w.gauge("shmipc_session_corrupt",
          "1 when the block fails validation; its counters then keep their last good values.",
          [](const S& s) { return s.corrupt ? 1 : 0; });
  w.gauge("shmipc_session_problems", "Problems found in the last copy of the block.",
          [](const S& s) { return s.problems; });
  // The exporter itself.
  w.plain("shmipc_exporter_sessions", "gauge", "", "", "Sessions exported.",
          std::to_string(stats.sessions));
  w.plain("shmipc_exporter_sessions_remembered", "gauge", "", "",
          "Sessions gone whose totals are kept in case they come back.",
          std::to_string(stats.remembered));
  w.plain("shmipc_exporter_polls", "counter", "_total", "", "Polls of every session.",
          std::to_string(stats.polls));
  w.plain("shmipc_exporter_poll_duration_seconds", "gauge", "", "seconds",
          "How long the last poll of every session took.", ns_as_seconds(stats.last_poll_ns));
  return w.finish();
}

}  // namespace shmmetrics
