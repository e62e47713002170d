#include "panels/step_view.hpp"

#include "panels/view_text.hpp"
#include "shmipc/narration.hpp"

namespace shmscope {

namespace {

std::string pacing_text(const ClassroomModel& m) {
  switch (m.pacing) {
    case Pacing::Paused:
      return "paused: each action waits for Step";
    case Pacing::Running:
      return "running: every action is granted as it comes";
    case Pacing::SlowMotion:
      return "slow motion: one action every " + std::to_string(m.slow_motion_ms) + " ms";
    case Pacing::RunToEvent:
      return "running to the next event set";
  }
  return {};
}

}  // namespace

StepView make_step_view(const ClassroomModel& m, const ClassroomUi& cui) {
  StepView v;
  v.scenario = m.scenario_active;
  v.step_mode = m.step_mode;
  v.error = m.step_error;
  for (const shmipc::PendingAction& a : m.pending) {
    PendingLine line;
    line.slot = a.slot;
    line.role = a.role;
    line.who = who_text(a.role, a.pid);
    line.alive = a.alive;
    line.words = a.alive ? shmipc::narrate_pending(a)
                         : "dead while parked at its gate (it will never act): " +
                               shmipc::narrate_pending(a);
    v.pending.push_back(std::move(line));
  }
  bool live_parked = false;
  for (const auto& l : v.pending) live_parked = live_parked || l.alive;
  v.step_count = m.step_count();
  if (m.scenario_active) {
    const std::string name = m.scenario.title.empty() ? m.scenario_name : m.scenario.title;
    if (m.scenario_running) {
      v.mode_words =
          "scenario \"" + name + "\": " +
          (m.scenario_waiting ? "waiting for you after step " + std::to_string(v.step_count)
                              : std::string("working..."));
    } else {
      v.mode_words =
          "scenario \"" + name + "\" finished after " + std::to_string(v.step_count) + " steps";
    }
    v.can_step = m.scenario_running && m.scenario_waiting;
  } else {
    v.mode_words = m.step_mode ? "step mode on: every protocol action waits for a grant"
                               : "step mode off: peers run freely";
    v.can_step = m.step_mode && live_parked;
    v.can_step_peer = v.can_step;
  }
  v.pacing_words = pacing_text(m);
  v.quiz_blocks = cui.quiz.enabled && !cui.quiz.question.choices.empty() && cui.quiz.chosen < 0;
  // The parked peers' next actions are the quiz's answer: hidden until it is given.
  if (v.quiz_blocks) {
    for (auto& line : v.pending) line.words = "(hidden until the quiz is answered)";
  }
  v.queued_steps = cui.queued_steps;
  v.shown = cui.shown_step(v.step_count);
  v.past = cui.in_past(v.step_count);
  if (v.shown >= 0 && m.steps) {
    const auto i = static_cast<std::size_t>(v.shown);
    const shmipc::ScenarioStep& s = (*m.steps)[i];
    v.shown_title = "step " + std::to_string(i + 1) + " of " + std::to_string(v.step_count) +
                    (s.actor.empty() ? "" : " - " + s.actor) + ": " + s.narration;
    for (const BlockField& f : fields_changed_by_step(*m.steps, i)) v.changed.push_back(f.name);
  }
  return v;
}

}  // namespace shmscope
