// The scenario library: lessons as data files (core/scenarios/*.json, format in
// docs/SCENARIOS.md), run on real processes in step mode. The runner forks one process per
// actor; each uses Session / ChildPeer / ParentPeer as any peer would, and parks at its step
// gate before every protocol action. The runner joins as a tool and grants one action at a
// time, always the one that has waited longest (ties by slot), after every process has come
// to rest: so a scenario run twice performs the same sequence of actions.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "shmipc/block.hpp"
#include "shmipc/snapshot.hpp"

namespace shmipc {

struct ScenarioActor {
  std::string name;          // "parent", "child", "intruder", ...
  std::string join = "any";  // any | parent | child | tool
  PeerMode mode = PeerMode::Reliable;
};

// One scripted instruction. `action` is one of the verbs of docs/SCENARIOS.md; the other
// fields are that verb's parameters (unused ones keep their defaults).
struct ScenarioInstruction {
  std::string action;
  std::string actor;         // empty for runner instructions (step_mode, detach, ...)
  std::string text;          // send, torn_write, write_without_mutex
  std::string command;       // command: KILL_APP | PING
  std::string at;            // kill / run_until: the JournalKind to wait for (pending)
  std::string id;            // names the result for the checks
  std::string expect_error;  // e.g. "SessionFull": this error is the expected outcome
  std::string figure;        // receive with latency: stores the mean under this name
  std::string mode;          // set_mode: reliable | seed
  bool wait = true;          // false: start the action and go on (await it later)
  bool on = true;            // step_mode
  int count = 1;             // receive, latency_probe
  std::string where;         // "file.json: steps[3]" for messages
};

struct ScenarioCheck {
  std::string check;  // result | journal | segment | figure | exit
  std::string id, field, actor, kind, figure, state;
  std::optional<std::string> equals_json;  // the JSON text the field must equal
  std::optional<std::int64_t> min, max;
  std::string where;
  std::string describe() const;
};

struct Scenario {
  std::string name;  // what `shmipc scenario NAME` takes
  int number = 0;    // position in the library
  std::string title, goal, expected;
  bool step_mode = true;
  std::vector<ScenarioActor> actors;
  std::vector<ScenarioInstruction> steps;
  std::vector<ScenarioCheck> checks;
  std::string file;
};

// Directories searched, in order: $SHMSCOPE_SCENARIOS (colon-separated), "scenarios" next
// to the running executable, the source tree's core/scenarios (compiled in).
std::vector<std::string> scenario_search_dirs();

// Throws Error(Usage) naming the file, the field and the problem.
Scenario load_scenario_file(const std::string& path);
Scenario parse_scenario(const std::string& json_text, const std::string& file_for_messages);
// By name, number ("4") or file stem; throws Error(NotFound) listing what exists.
Scenario find_scenario(const std::string& name);
// Every scenario of the first directory that has any, ordered by number.
std::vector<Scenario> list_scenarios();

struct ScenarioStep {
  int number = 0;        // 1-based
  bool granted = false;  // a protocol action granted at a gate (else a runner event)
  std::string actor;
  int slot = -1;
  Role role = Role::None;
  JournalKind kind = JournalKind::None;
  std::uint32_t arg = 0;
  std::string narration;
  Snapshot snapshot;  // right after the step; kept for the first kMaxKeptSnapshots
  bool has_snapshot = false;
};

struct ScenarioResult {
  std::string name, title, goal, expected;
  bool passed = false;
  std::vector<std::string> failures;       // why it failed
  std::vector<std::string> checks_passed;  // what was verified
  std::vector<ScenarioStep> steps;
  std::map<std::string, double> figures;  // measured values (latencies in microseconds)
  std::vector<JournalRecord> journal;     // every record the run produced, in order
  std::map<std::uint32_t, std::string> actor_of_pid;
};

inline constexpr std::size_t kMaxKeptSnapshots = 512;

struct ScenarioRunOptions {
  std::string session_name;                   // empty: a fresh unique name
  std::chrono::milliseconds watchdog{20000};  // the whole run; a stuck run fails, never hangs
  // Called after each step while every process is parked or at rest (time-travel checks).
  // It may block to pace the run (the monitor waits there for its user's Step): the time it
  // blocks is not counted by the watchdog. An exception it throws ends the run (the
  // processes are killed) and leaves run_scenario.
  std::function<void(const ScenarioStep&)> on_step;
};

// Runs the scenario on real processes. Never throws for a scenario that fails: the result
// says why. Throws Error only when the runner itself cannot start (e.g. fork fails).
ScenarioResult run_scenario(const Scenario& scenario, const ScenarioRunOptions& options = {});

// Name of an ErrorCode as scenario files spell it ("SessionFull").
std::string error_code_name(int code);
// JournalKind by name ("MessageWritten"); nullopt if unknown.
std::optional<JournalKind> journal_kind_from_name(const std::string& name);

}  // namespace shmipc
