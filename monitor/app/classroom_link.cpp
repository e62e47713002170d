#include "app/classroom_link.hpp"

#include <fstream>
#include <sstream>

#include "shmipc/error.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/trace_export.hpp"

namespace shmscope {

namespace {

const char* pacing_name(Pacing p) {
  switch (p) {
    case Pacing::Paused:
      return "paused";
    case Pacing::Running:
      return "running";
    case Pacing::SlowMotion:
      return "slow-motion";
    case Pacing::RunToEvent:
      return "run-to-event";
  }
  return "?";
}

}  // namespace

ClassroomLink::ClassroomLink() {
  reset_steps();
  try {
    for (const shmipc::Scenario& s : shmipc::list_scenarios())
      model_.scenarios.push_back({s.name, s.title, s.goal, s.expected, s.number});
  } catch (const std::exception& e) {
    model_.last_error = std::string("scenarios: ") + e.what();
  }
}

ClassroomLink::~ClassroomLink() {
  player_.reset();
  live_.reset();
}

void ClassroomLink::reset_steps() {
  steps_ = std::make_shared<std::vector<shmipc::ScenarioStep>>();
  model_.steps = steps_;
  model_.steps_generation++;
  shown_.reset();
}

bool ClassroomLink::handles(const ActionRequest& r) {
  using K = ActionRequest::Kind;
  switch (r.kind) {
    case K::StepModeSet:
    case K::StepOne:
    case K::StepRun:
    case K::StepPause:
    case K::StepRunToEvent:
    case K::StepSlowMotion:
    case K::ScenarioStart:
    case K::ScenarioStop:
    case K::ExportTrace:
    case K::ExportDiagramPng:
      return true;
    default:
      return false;
  }
}

void ClassroomLink::report(std::string result, bool ok) {
  if (ok) {
    model_.last_result = std::move(result);
    model_.last_error.clear();
  } else {
    model_.last_error = std::move(result);
  }
}

void ClassroomLink::start_scenario(const std::string& name) {
  player_.reset();  // a run still going is abandoned (its processes are killed)
  try {
    shmipc::Scenario s = shmipc::find_scenario(name);
    live_.reset();  // one thing steps at a time
    reset_steps();
    model_.scenario_active = true;
    model_.scenario_name = s.name;
    model_.scenario = {s.name, s.title, s.goal, s.expected, s.number};
    model_.verdict_known = false;
    model_.failures.clear();
    model_.checks_passed.clear();
    model_.journal.clear();
    player_ = std::make_unique<ScenarioPlayer>(std::move(s));
    report("started scenario " + name, true);
  } catch (const std::exception& e) {
    report(std::string("scenario: ") + e.what(), false);
  }
}

void ClassroomLink::execute(const ActionRequest& r, const std::string& session,
                            const SessionHistory& live) {
  using K = ActionRequest::Kind;
  Pacer* pacer = player_ && model_.scenario_active ? static_cast<Pacer*>(player_.get())
                                                   : static_cast<Pacer*>(live_.get());
  switch (r.kind) {
    case K::StepModeSet:
      if (r.flag) {
        player_.reset();
        model_.scenario_active = false;
        reset_steps();
        live_session_ = session;
        live_ = std::make_unique<LiveStepDriver>(session);
        model_.step_error.clear();
      } else {
        live_.reset();
      }
      break;
    case K::StepOne:
      if (pacer) pacer->grant(r.slot);
      break;
    case K::StepRun:
      if (pacer) pacer->set_pacing(Pacing::Running);
      break;
    case K::StepPause:
      if (pacer) pacer->set_pacing(Pacing::Paused);
      break;
    case K::StepRunToEvent:
      if (pacer) pacer->set_pacing(Pacing::RunToEvent);
      break;
    case K::StepSlowMotion:
      if (pacer) pacer->set_pacing(Pacing::SlowMotion, static_cast<int>(r.seconds * 1000.0 + 0.5));
      break;
    case K::ScenarioStart:
      start_scenario(r.text);
      break;
    case K::ScenarioStop:
      player_.reset();
      model_.scenario_active = false;
      model_.scenario_running = false;
      reset_steps();
      break;
    case K::ExportTrace: {
      std::vector<shmipc::JournalRecord> records;
      std::map<std::uint32_t, std::string> names;
      if (model_.scenario_active) {
        records = model_.journal;
        names = model_.actor_of_pid;
        if (records.empty()) {
          if (const shmipc::Snapshot* s = snapshot_at_step(*steps_, steps_->size()))
            for (const auto& item : shmipc::journal_decode(s->raw, 0).items)
              records.push_back(item.record);
        }
      } else {
        for (const auto& item : live.journal()) records.push_back(item.record);
      }
      std::ofstream out(r.text, std::ios::trunc);
      out << shmipc::chrome_trace_json(records, names);
      out.close();
      if (!out) {
        report("cannot write " + r.text, false);
      } else {
        report("saved " + std::to_string(records.size()) + " journal records to " + r.text +
                   " (open it in ui.perfetto.dev or chrome://tracing)",
               true);
      }
      break;
    }
    case K::ExportDiagramPng:
      diagram_request_ = r.text;
      break;
    default:
      break;
  }
}

bool ClassroomLink::update(const std::string& session) {
  bool changed = false;
  if (live_ && session != live_session_) live_.reset();  // attached elsewhere
  Pacer* pacer = player_ ? static_cast<Pacer*>(player_.get()) : static_cast<Pacer*>(live_.get());
  if (pacer == nullptr) {
    if (model_.step_mode) changed = true;
    model_.step_mode = false;
    model_.pending.clear();
    return changed;
  }
  std::vector<shmipc::ScenarioStep> fresh = pacer->take_new_steps();
  if (!fresh.empty()) changed = true;
  for (auto& s : fresh) steps_->push_back(std::move(s));
  DriverState st = pacer->state();
  if (st.pending.size() != model_.pending.size()) changed = true;
  model_.pending = std::move(st.pending);
  model_.pacing = st.pacing;
  model_.slow_motion_ms = st.slow_motion_ms;
  if (player_) {
    changed =
        changed || model_.scenario_running != st.running || model_.scenario_waiting != st.waiting;
    model_.scenario_running = st.running;
    model_.scenario_waiting = st.waiting;
    if (!st.running && st.result && !model_.verdict_known) {
      model_.verdict_known = true;
      model_.passed = st.result->passed;
      model_.failures = st.result->failures;
      model_.checks_passed = st.result->checks_passed;
      model_.figures = st.result->figures;
      model_.journal = st.result->journal;
      model_.actor_of_pid = st.result->actor_of_pid;
      changed = true;
    }
    if (!st.error.empty() && st.error != "stopped") model_.last_error = st.error;
  } else {
    model_.step_mode = st.running;
    model_.step_error = st.error;
  }
  return changed;
}

const SessionHistory* ClassroomLink::shown_history(const ClassroomUi& cui) {
  const std::size_t count = steps_->size();
  const bool wanted = model_.scenario_active ? count > 0 : cui.in_past(count);
  if (!wanted) return nullptr;
  const std::int64_t step = cui.shown_step(count);
  if (!shown_ || step != shown_step_ || shown_generation_ != model_.steps_generation ||
      (step + 1 == static_cast<std::int64_t>(count) && count != shown_count_)) {
    shown_ =
        std::make_unique<SessionHistory>(history_at_step(*steps_, static_cast<std::size_t>(step)));
    shown_step_ = step;
    shown_generation_ = model_.steps_generation;
    shown_count_ = count;
  }
  return shown_.get();
}

std::string ClassroomLink::take_diagram_request() {
  std::string r;
  r.swap(diagram_request_);
  return r;
}

std::string ClassroomLink::dump(const ClassroomUi& cui) const {
  std::ostringstream o;
  const std::size_t count = steps_->size();
  o << "mode " << (model_.scenario_active ? "scenario" : model_.step_mode ? "live" : "off") << '\n';
  o << "scenario " << (model_.scenario_name.empty() ? "-" : model_.scenario_name) << '\n';
  o << "running " << (model_.scenario_running ? 1 : 0) << '\n';
  o << "waiting " << (model_.scenario_waiting ? 1 : 0) << '\n';
  o << "pacing " << pacing_name(model_.pacing) << '\n';
  o << "steps " << count << '\n';
  o << "shown " << cui.shown_step(count) + 1 << '\n';
  o << "past " << (cui.in_past(count) ? 1 : 0) << '\n';
  o << "pending " << model_.pending.size() << '\n';
  std::size_t dead = 0;
  for (const auto& p : model_.pending) dead += p.alive ? 0 : 1;
  o << "dead " << dead << '\n';
  std::string parked;  // who is parked, alive or dead: "child,parent-dead"
  for (const auto& p : model_.pending) {
    if (!parked.empty()) parked += ',';
    parked += shmipc::role_name(p.role);
    if (!p.alive) parked += "-dead";
  }
  o << "parked " << (parked.empty() ? "-" : parked) << '\n';
  o << "presentation " << (cui.presentation ? 1 : 0) << '\n';
  o << "quiz " << cui.quiz.right << '/' << cui.quiz.asked << '\n';
  auto one_word = [](std::string text) {  // "key value" lines: spaces would split the value
    for (char& c : text)
      if (c == ' ' || c == '\n') c = '_';
    return text.empty() ? std::string("-") : text;
  };
  o << "result " << one_word(model_.last_result) << '\n';
  o << "error " << one_word(model_.last_error) << '\n';
  o << "verdict " << (!model_.verdict_known ? "none" : model_.passed ? "pass" : "fail") << '\n';
  return o.str();
}

}  // namespace shmscope
