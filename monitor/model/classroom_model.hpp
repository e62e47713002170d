// What the classroom views (step, lesson, time travel, quiz) read: the live step mode of the
// attached session or a scenario run from the monitor, as the app last saw it. Plain data
// filled by the app's ClassroomLink between frames, plus the pure functions the views and
// tests share (a past history for time travel, the fields a step changed, quiz questions).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "model/block_fields.hpp"
#include "model/session_history.hpp"
#include "shmipc/scenario.hpp"
#include "shmipc/step_controller.hpp"

namespace shmscope {

// How the driver grants: on request only, everything, one every N ms, or up to an event set.
enum class Pacing { Paused, Running, SlowMotion, RunToEvent };

struct ScenarioSummary {
  std::string name, title, goal, expected;
  int number = 0;
};

struct ClassroomModel {
  // Live step mode of the attached session (the monitor joined as a Tool).
  bool step_mode = false;
  std::vector<shmipc::PendingAction> pending;  // parked right now, oldest first
  std::string step_error;                      // why step mode could not start, etc.

  // A scenario run from the monitor (`scenario_active`), else the live steps above.
  bool scenario_active = false;
  bool scenario_running = false;  // its thread has not finished
  bool scenario_waiting = false;  // parked after a step, waiting for the user
  std::string scenario_name;
  ScenarioSummary scenario;  // of the running / finished scenario
  bool verdict_known = false;
  bool passed = false;
  std::vector<std::string> failures, checks_passed;
  std::map<std::string, double> figures;
  std::vector<shmipc::JournalRecord> journal;  // the run's journal (scenario) at the end
  std::map<std::uint32_t, std::string> actor_of_pid;

  Pacing pacing = Pacing::Paused;
  int slow_motion_ms = 800;
  // Every step so far, with its snapshot (bounded): live grants or the scenario's steps.
  // Shared, so the app can hand it to the views each frame without copying snapshots.
  std::shared_ptr<const std::vector<shmipc::ScenarioStep>> steps;
  std::uint64_t steps_generation = 0;  // changes when `steps` is a different run

  std::vector<ScenarioSummary> scenarios;  // the library, for the picker
  std::string last_result, last_error;     // exports and the like

  std::size_t step_count() const { return steps ? steps->size() : 0; }
};

// The history the panels show for step `index` (0-based) of `steps`: the kept snapshots up
// to and including that step, each with the journal records its copy of the block holds.
// Byte change times are those of the snapshots, so the bytes that step changed glow.
SessionHistory history_at_step(const std::vector<shmipc::ScenarioStep>& steps, std::size_t index);

// The snapshot of step `index` or, if that step kept none, of the nearest earlier one.
const shmipc::Snapshot* snapshot_at_step(const std::vector<shmipc::ScenarioStep>& steps,
                                         std::size_t index);

// The actions parked at a step gate in a copy of the block (a peer that published an action
// and has not been granted it yet), in slot order. `alive` is the snapshot's liveness.
std::vector<shmipc::PendingAction> parked_in_snapshot(const shmipc::Snapshot& snap);

// The narration of journal record `seq` if `history` still holds it (sequence tooltip).
std::string narration_of_journal_entry(const SessionHistory& history, std::uint64_t seq);

// The block fields whose bytes differ between two snapshots, in offset order. Heartbeats
// (which change on every call) are left out, and the journal counts as one field.
std::vector<BlockField> changed_fields(const shmipc::Snapshot& before,
                                       const shmipc::Snapshot& after);

// Fields step `index` changed (against the step before it; the first step against nothing).
std::vector<BlockField> fields_changed_by_step(const std::vector<shmipc::ScenarioStep>& steps,
                                               std::size_t index);

// "What happens next?": three or four choices in words. The right one is the action parked
// at a gate (several parked peers: any of theirs is right, the user is scored against the
// action actually granted next); the others are other protocol actions.
struct QuizChoice {
  shmipc::JournalKind kind = shmipc::JournalKind::None;
  shmipc::Role role = shmipc::Role::None;
  std::string words;  // "The child is about to lock the mutex ..."
};
struct QuizQuestion {
  std::size_t for_step = 0;  // asked before step number `for_step` (1-based) happens
  std::vector<QuizChoice> choices;
};

// Empty when nothing is parked. `seed` (the step number) picks the distractors and the order,
// so the same step always asks the same question.
QuizQuestion make_quiz_question(const std::vector<shmipc::PendingAction>& parked,
                                std::size_t for_step);
// True if choice `chosen` names what step `actual` did (kind and role).
bool quiz_answer_right(const QuizQuestion& q, int chosen, const shmipc::ScenarioStep& actual);

}  // namespace shmscope
