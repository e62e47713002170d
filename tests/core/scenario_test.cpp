// The scenario library end to end: every lesson runs headless on real processes with its
// outcome asserted, runs are repeatable, time travel keeps what a live observer saw, and the
// trace export is a valid Chrome trace. Also the step driver on its own.
#include <doctest/doctest.h>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "shmipc/error.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/observer.hpp"
#include "shmipc/peer.hpp"
#include "shmipc/scenario.hpp"
#include "shmipc/session.hpp"
#include "shmipc/snapshot_diff.hpp"
#include "shmipc/step_controller.hpp"
#include "shmipc/trace_export.hpp"
#include "test_process.hpp"

using namespace shmipc;
using namespace std::chrono_literals;

namespace {

ScenarioResult run_named(const std::string& name, ScenarioRunOptions options = {}) {
  shmtest::Watchdog watchdog(60s, "scenario " + name);
  const Scenario s = find_scenario(name);
  if (options.session_name.empty()) options.session_name = shmtest::unique_session_name("scn");
  ScenarioResult r = run_scenario(s, options);
  shmtest::remove_segment(options.session_name);
  for (const auto& f : r.failures) MESSAGE(name << ": " << f);
  return r;
}

std::size_t count_kind(const ScenarioResult& r, JournalKind k) {
  std::size_t n = 0;
  for (const auto& rec : r.journal) n += rec.kind == static_cast<std::uint16_t>(k) ? 1 : 0;
  return n;
}

using ActionKey = std::tuple<std::string, bool, int, int>;
std::vector<ActionKey> actions_of(const ScenarioResult& r) {
  std::vector<ActionKey> out;
  for (const auto& s : r.steps)
    out.emplace_back(s.actor, s.granted, static_cast<int>(s.kind), static_cast<int>(s.arg));
  return out;
}

}  // namespace

TEST_CASE("the library holds the nine lessons of the issue, in order") {
  const auto all = list_scenarios();
  REQUIRE(all.size() >= 9);
  for (int i = 0; i < 9; ++i) {
    CHECK(all[i].number == i + 1);
    CHECK_FALSE(all[i].goal.empty());
    CHECK_FALSE(all[i].expected.empty());
  }
}

TEST_CASE("scenario 1: the child joins, acknowledges, and the parent reports that it started") {
  auto r = run_named("child-joins-and-acks");
  CHECK(r.passed);
  CHECK(count_kind(r, JournalKind::AckWritten) == 1);
  REQUIRE_FALSE(r.steps.empty());
  CHECK(r.steps.back().snapshot.message.child_ack);
}

TEST_CASE("scenario 2: one message arrives intact and the child gets its receipt") {
  auto r = run_named("one-message-with-receipt");
  CHECK(r.passed);
  CHECK(count_kind(r, JournalKind::MessageRead) == 1);
  CHECK(count_kind(r, JournalKind::MessageOverwritten) == 0);
}

TEST_CASE("scenario 3: KILL_APP closes the parent and the last one out removes the segment") {
  auto r = run_named("kill-app-clean-shutdown");
  CHECK(r.passed);
  CHECK(count_kind(r, JournalKind::CommandRead) == 1);
}

TEST_CASE("scenario 4: a seed-faithful second send overwrites the unread first message") {
  auto r = run_named("seed-faithful-double-send");
  CHECK(r.passed);
  CHECK(count_kind(r, JournalKind::MessageOverwritten) == 1);
}

TEST_CASE("scenario 5: a write that skips the mutex gives a torn message the checksum catches") {
  auto r = run_named("writer-skips-mutex");
  CHECK(r.passed);
  CHECK(count_kind(r, JournalKind::ChecksumMismatch) >= 1);
}

TEST_CASE("scenario 6: a child killed mid-write is recovered from and a new child joins") {
  auto r = run_named("child-killed-holding-mutex");
  CHECK(r.passed);
  CHECK(count_kind(r, JournalKind::OwnerDied) == 1);
  CHECK(count_kind(r, JournalKind::TornWrite) >= 1);
}

TEST_CASE("scenario 7: the latency of polling and of a blocking wait are both measured") {
  auto r = run_named("polling-vs-blocking");
  CHECK(r.passed);
  CHECK(r.figures.count("polling_latency_us") == 1);
  CHECK(r.figures.count("blocking_latency_us") == 1);
}

TEST_CASE("scenario 8: a third process is refused with session full") {
  auto r = run_named("third-process-session-full");
  CHECK(r.passed);
}

TEST_CASE("scenario 9: after a parent crash the next process rebuilds the stale block") {
  auto r = run_named("parent-crash-stale-block");
  CHECK(r.passed);
  CHECK(count_kind(r, JournalKind::SessionReclaimed) == 1);
}

TEST_CASE("a scenario run twice performs the same sequence of actions") {
  for (const char* name :
       {"one-message-with-receipt", "writer-skips-mutex", "seed-faithful-double-send"}) {
    CAPTURE(name);
    auto first = run_named(name);
    auto second = run_named(name);
    REQUIRE(first.passed);
    REQUIRE(second.passed);
    const bool same = actions_of(first) == actions_of(second);
    if (!same) {
      for (const auto* r : {&first, &second}) {
        std::string listing;
        for (const auto& s : r->steps) listing += "\n  " + s.actor + ": " + s.narration;
        MESSAGE(listing);
      }
    }
    CHECK(same);
    std::size_t granted = 0;
    for (const auto& s : first.steps) granted += s.granted ? 1 : 0;
    CHECK(granted >= 5);
  }
}

TEST_CASE("the snapshot kept for each step equals a live snapshot taken while parked there") {
  ScenarioRunOptions options;
  options.session_name = shmtest::unique_session_name("scn-tt");
  std::unique_ptr<Observer> live;
  int compared = 0;
  options.on_step = [&](const ScenarioStep& step) {
    if (!step.has_snapshot) return;
    if (!live) live = Observer::open(options.session_name);
    const Snapshot now = live->snapshot();
    const Snapshot& kept = step.snapshot;
    CAPTURE(step.number);
    CHECK(kept.message.version_head == now.message.version_head);
    CHECK(kept.message.message_sequence == now.message.message_sequence);
    CHECK(kept.message.message_read_sequence == now.message.message_read_sequence);
    CHECK(kept.message.data_size == now.message.data_size);
    CHECK(kept.message.checksum == now.message.checksum);
    CHECK(kept.message.child_ack == now.message.child_ack);
    CHECK(kept.message.data == now.message.data);
    CHECK(kept.mutex.owner_pid == now.mutex.owner_pid);
    CHECK(kept.mutex.lock_count == now.mutex.lock_count);
    for (std::size_t e = 0; e < kEventCount; ++e) {
      CHECK(kept.events[e].signalled == now.events[e].signalled);
      CHECK(kept.events[e].times_set == now.events[e].times_set);
      CHECK(kept.events[e].times_consumed == now.events[e].times_consumed);
    }
    for (std::size_t i = 0; i < kParticipantSlots; ++i) {
      CHECK(kept.participants[i].role == now.participants[i].role);
      CHECK(kept.participants[i].pid == now.participants[i].pid);
      CHECK(kept.participants[i].step_pending == now.participants[i].step_pending);
      CHECK(kept.participants[i].step_grants == now.participants[i].step_grants);
      CHECK(kept.participants[i].step_taken == now.participants[i].step_taken);
    }
    ++compared;
  };
  auto r = run_named("one-message-with-receipt", options);
  CHECK(r.passed);
  CHECK(compared >= 8);
}

TEST_CASE("the trace export is Chrome trace JSON with a track per process, lock slices and flows") {
  auto r = run_named("one-message-with-receipt");
  REQUIRE(r.passed);
  const auto trace = nlohmann::json::parse(chrome_trace_json(r.journal, r.actor_of_pid));
  REQUIRE(trace.contains("traceEvents"));
  std::set<std::string> tracks;
  std::map<std::uint32_t, int> holds_by_pid;
  std::set<std::uint64_t> starts, finishes;
  int instants = 0;
  for (const auto& e : trace["traceEvents"]) {
    const std::string ph = e.at("ph");
    if (ph == "M" && e["name"] == "process_name")
      tracks.insert(e["args"]["name"].get<std::string>());
    if (ph == "X" && e["name"] == "holds the mutex") {
      CHECK(e["dur"].get<double>() > 0);
      holds_by_pid[e["pid"].get<std::uint32_t>()]++;
    }
    if (ph == "i") ++instants;
    if (ph == "s") starts.insert(e["id"].get<std::uint64_t>());
    if (ph == "f") finishes.insert(e["id"].get<std::uint64_t>());
  }
  bool parent_track = false, child_track = false;
  for (const auto& t : tracks) {
    parent_track = parent_track || t.rfind("parent (pid", 0) == 0;
    child_track = child_track || t.rfind("child (pid", 0) == 0;
  }
  CHECK(parent_track);
  CHECK(child_track);
  CHECK(holds_by_pid.size() >= 2);  // both peers held the mutex
  CHECK(instants > 0);
  CHECK_FALSE(finishes.empty());
  for (auto id : finishes) CHECK(starts.count(id) == 1);  // every arrow starts at a set
}

TEST_CASE("a scenario file with a mistake is refused naming the file, the field and the problem") {
  const std::string ok_start =
      R"({"name":"x","title":"t","goal":"g","expected":"e","actors":[{"name":"parent"}],)";
  try {
    parse_scenario(
        ok_start +
            R"("steps":[{"do":"join","actor":"parent","colour":"red"}],"checks":[{"check":"segment","state":"exists"}]})",
        "bad.json");
    FAIL("accepted an unknown field");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::Usage);
    CHECK(std::string(e.what()).find("bad.json: steps[0].colour: unknown field") !=
          std::string::npos);
  }
  try {
    parse_scenario(
        ok_start +
            R"("steps":[{"do":"kill","actor":"parent","at":"Lokc"}],"checks":[{"check":"segment","state":"exists"}]})",
        "bad.json");
    FAIL("accepted an unknown kind");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("steps[0].at: unknown action kind \"Lokc\"") !=
          std::string::npos);
  }
  try {
    parse_scenario(
        ok_start +
            R"("steps":[{"do":"join","actor":"ghost"}],"checks":[{"check":"segment","state":"exists"}]})",
        "bad.json");
    FAIL("accepted an unknown actor");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("steps[0].actor") != std::string::npos);
  }
  CHECK_THROWS_AS(parse_scenario("{not json", "bad.json"), Error);
  CHECK_THROWS_AS(find_scenario("no-such-lesson"), Error);
}

// ---- the step driver on its own ------------------------------------------------------

namespace {
struct SteppedSession {
  std::string name = shmtest::unique_session_name("step");
  std::unique_ptr<Session> parent;
  std::unique_ptr<StepController> driver;
  SteppedSession() {
    SessionOptions o;
    o.name = name;
    parent = Session::join(o);
    driver = std::make_unique<StepController>(*parent);
    driver->enable();
  }
  ~SteppedSession() {
    driver.reset();
    parent.reset();
    shmtest::remove_segment(name);
  }
  shmtest::ChildProcess acknowledging_child() {
    return shmtest::ChildProcess::fork([n = name] {
      SessionOptions o;
      o.name = n;
      auto s = Session::join(o);
      ChildPeer(*s).acknowledge();
      return 0;
    });
  }
  Block& block() { return parent->block(); }
};
}  // namespace

TEST_CASE("a peer parked at its gate does nothing until it is granted") {
  shmtest::Watchdog watchdog(30s, "parked peer");
  SteppedSession s;
  auto child = s.acknowledging_child();
  REQUIRE(s.driver->wait_for_pending(deadline_after(10s)));
  auto pending = s.driver->pending();
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].role == Role::Child);
  CHECK(pending[0].kind == JournalKind::LockRequested);
  CHECK(pending[0].alive);
  CHECK(s.block().mutex.owner_pid.load() == 0);  // not even the lock was taken

  REQUIRE(s.driver->step());
  REQUIRE(shmtest::eventually(
      [&] {
        auto p = s.driver->pending();
        return !p.empty() && p[0].kind == JournalKind::AckWritten;
      },
      10s));
  CHECK(s.block().message.child_ack.load() == 0);  // parked before the write
  REQUIRE(s.driver->grant(s.driver->pending()[0].slot));
  REQUIRE(shmtest::eventually(
      [&] {
        auto p = s.driver->pending();
        return !p.empty() && p[0].kind == JournalKind::LockReleased;
      },
      10s));
  CHECK(s.block().message.child_ack.load() == 1);
  CHECK(s.block().mutex.owner_pid.load() != 0);  // still held until the release is granted
  REQUIRE(s.driver->step());
  REQUIRE(shmtest::eventually(
      [&] {
        auto p = s.driver->pending();
        return !p.empty() && p[0].kind == JournalKind::EventSet;
      },
      10s));
  CHECK(s.block().mutex.owner_pid.load() == 0);
  CHECK(s.block().events[0].times_set.load() == 0);  // the signal waits for its grant
  REQUIRE(s.driver->step());
  CHECK(child.wait_for(10s) == 0);
  CHECK(s.block().events[0].times_set.load() == 1);
}

TEST_CASE("run to next event grants until an event has been set") {
  shmtest::Watchdog watchdog(30s, "run to next event");
  SteppedSession s;
  auto child = s.acknowledging_child();
  auto granted = s.driver->run_to_next_event(deadline_after(10s));
  REQUIRE(granted.size() == 4);
  CHECK(granted[0].kind == JournalKind::LockRequested);
  CHECK(granted[1].kind == JournalKind::AckWritten);
  CHECK(granted[2].kind == JournalKind::LockReleased);
  CHECK(granted[3].kind == JournalKind::EventSet);
  CHECK(child.wait_for(10s) == 0);
}

TEST_CASE("turning step mode off releases every parked peer") {
  shmtest::Watchdog watchdog(30s, "disable step mode");
  SteppedSession s;
  auto child = s.acknowledging_child();
  REQUIRE(s.driver->wait_for_pending(deadline_after(10s)));
  s.driver->disable();
  CHECK_FALSE(s.driver->enabled());
  CHECK(child.wait_for(10s) == 0);
  CHECK(s.block().message.child_ack.load() == 1);
}

TEST_CASE("a peer killed while parked is reported dead and the driver does not hang on it") {
  shmtest::Watchdog watchdog(30s, "dead parked peer");
  SteppedSession s;
  auto child = s.acknowledging_child();
  REQUIRE(s.driver->wait_for_pending(deadline_after(10s)));
  child.kill(SIGKILL);
  CHECK(child.wait_for(10s).has_value());
  REQUIRE(shmtest::eventually(
      [&] {
        auto p = s.driver->pending();
        return p.size() == 1 && !p[0].alive;
      },
      10s));
  CHECK_FALSE(s.driver->step().has_value());
  CHECK_FALSE(s.driver->wait_for_pending(deadline_after(50ms)));
  CHECK(s.driver->run_to_next_event(deadline_after(50ms)).empty());
}

TEST_CASE("a scenario that gets stuck fails at its watchdog with who was waiting, never hangs") {
  shmtest::Watchdog watchdog(60s, "stuck scenario");
  // The child waits for a receipt that never comes: the parent is never told to receive.
  const Scenario s = parse_scenario(R"({
    "name": "stuck", "title": "t", "goal": "g", "expected": "e",
    "actors": [{"name": "parent"}, {"name": "child"}],
    "steps": [{"do": "join", "actor": "parent"}, {"do": "join", "actor": "child"},
              {"do": "send", "actor": "child", "text": "nobody reads this"}],
    "checks": [{"check": "journal", "kind": "MessageRead"}]})",
                                    "stuck.json");
  ScenarioRunOptions options;
  options.session_name = shmtest::unique_session_name("scn-stuck");
  options.watchdog = 1500ms;
  const ScenarioResult r = run_scenario(s, options);
  shmtest::remove_segment(options.session_name);
  CHECK_FALSE(r.passed);
  REQUIRE_FALSE(r.failures.empty());
  CHECK(r.failures.front().find("watchdog") != std::string::npos);
  CHECK(r.failures.front().find("child busy with \"send\"") != std::string::npos);
}

TEST_CASE("an action that fails other than expected fails the scenario with its error") {
  shmtest::Watchdog watchdog(60s, "unexpected error");
  const Scenario s = parse_scenario(R"({
    "name": "wrong-role", "title": "t", "goal": "g", "expected": "e",
    "actors": [{"name": "parent"}, {"name": "child"}],
    "steps": [{"do": "join", "actor": "parent"}, {"do": "ack", "actor": "parent"}],
    "checks": [{"check": "segment", "state": "exists"}]})",
                                    "wrong-role.json");
  ScenarioRunOptions options;
  options.session_name = shmtest::unique_session_name("scn-wrong");
  const ScenarioResult r = run_scenario(s, options);
  shmtest::remove_segment(options.session_name);
  CHECK_FALSE(r.passed);
  REQUIRE_FALSE(r.failures.empty());
  INFO("first failure: " << r.failures.front());
  CHECK(r.failures.front().find("parent ack failed: Usage") != std::string::npos);
}

TEST_CASE("time travel names the fields each step changed") {
  auto r = run_named("one-message-with-receipt");
  REQUIRE(r.passed);
  auto changes_of = [&](JournalKind kind) {
    std::vector<std::string> names;
    for (std::size_t i = 1; i < r.steps.size(); ++i) {
      if (!r.steps[i].granted || r.steps[i].kind != kind) continue;
      REQUIRE(r.steps[i - 1].has_snapshot);
      for (const auto& c : changed_fields(r.steps[i - 1].snapshot, r.steps[i].snapshot))
        names.push_back(c.field);
      break;
    }
    return names;
  };
  auto has = [](const std::vector<std::string>& v, const std::string& f) {
    return std::find(v.begin(), v.end(), f) != v.end();
  };
  const auto ack = changes_of(JournalKind::AckWritten);
  CHECK(has(ack, "message.child_ack"));
  CHECK_FALSE(has(ack, "message.data"));
  const auto written = changes_of(JournalKind::MessageWritten);
  CHECK(has(written, "message.data"));
  CHECK(has(written, "message.data_size"));
  CHECK(has(written, "message.checksum"));
  CHECK_FALSE(has(written, "message.child_ack"));
}
