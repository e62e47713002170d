// Headless tests of the Step panel: pending actions in words, the grant buttons and keys as
// ActionRequests, time travel over kept step snapshots and the fields each step changed.
#include <doctest/doctest.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <memory>

#include "model/classroom_model.hpp"
#include "panel_fixtures.hpp"
#include "panels/classroom_panels.hpp"
#include "panels/step_view.hpp"
#include "shmipc/narration.hpp"

using namespace shmscope;
using namespace paneltest;
using shmipc::JournalKind;

namespace {

shmipc::PendingAction parked(int slot, shmipc::Role role, std::uint32_t pid, JournalKind kind,
                             bool alive = true) {
  shmipc::PendingAction a;
  a.slot = slot;
  a.role = role;
  a.pid = pid;
  a.kind = kind;
  a.alive = alive;
  return a;
}

shmipc::ScenarioStep step_of(const FakeBlock& b, std::uint64_t t, JournalKind kind,
                             shmipc::Role role, const std::string& narration) {
  shmipc::ScenarioStep s;
  s.granted = true;
  s.kind = kind;
  s.role = role;
  s.actor = std::string(role == shmipc::Role::Parent ? "parent" : "child");
  s.narration = narration;
  s.snapshot = b.snapshot(t);
  s.has_snapshot = true;
  return s;
}

// Three steps on one block: the child locks, writes "hi", the parent reads it.
std::shared_ptr<std::vector<shmipc::ScenarioStep>> three_steps() {
  auto steps = std::make_shared<std::vector<shmipc::ScenarioStep>>();
  FakeBlock b = two_peers();
  b.journal(JournalKind::LockAcquired, shmipc::Role::Child, kChildPid, kT0 + 1 * kMs);
  b.mutex_held(shmipc::Role::Child, kChildPid, kT0 + 1 * kMs, 0);
  steps->push_back(step_of(b, kT0 + 2 * kMs, JournalKind::LockRequested, shmipc::Role::Child,
                           "The child locked the mutex."));
  b.message("hi", 2);
  b.journal(JournalKind::MessageWritten, shmipc::Role::Child, kChildPid, kT0 + 3 * kMs, 2, 2, "hi");
  steps->push_back(step_of(b, kT0 + 4 * kMs, JournalKind::MessageWritten, shmipc::Role::Child,
                           "The child wrote \"hi\"."));
  b.put32(2624 + 64 + 24, 77);  // the child's heartbeat moves: never a "changed field"
  b.journal(JournalKind::MessageRead, shmipc::Role::Parent, kParentPid, kT0 + 5 * kMs, 2, 2, "hi");
  steps->push_back(step_of(b, kT0 + 6 * kMs, JournalKind::MessageRead, shmipc::Role::Parent,
                           "The parent read \"hi\"."));
  for (std::size_t i = 0; i < steps->size(); ++i) (*steps)[i].number = static_cast<int>(i) + 1;
  return steps;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("the step view says what each parked peer is about to do, and marks a dead one") {
  ClassroomModel m;
  m.step_mode = true;
  m.pending = {parked(1, shmipc::Role::Child, kChildPid, JournalKind::LockRequested),
               parked(0, shmipc::Role::Parent, kParentPid, JournalKind::MessageRead, false)};
  ClassroomUi cui;
  const StepView v = make_step_view(m, cui);
  REQUIRE(v.pending.size() == 2);
  CHECK(v.pending[0].words == shmipc::narrate_pending(m.pending[0]));
  CHECK(v.pending[0].words.find("The child is about to lock the mutex") == 0);
  CHECK(v.pending[0].alive);
  CHECK(v.pending[0].who.find("child") != std::string::npos);
  CHECK_FALSE(v.pending[1].alive);
  CHECK(v.pending[1].words.find("dead") != std::string::npos);
  CHECK(v.can_step);
  CHECK(v.can_step_peer);
}

TEST_CASE("with nobody alive parked, or step mode off, there is nothing to step") {
  ClassroomModel m;
  m.step_mode = true;
  m.pending = {parked(1, shmipc::Role::Child, kChildPid, JournalKind::LockRequested, false)};
  CHECK_FALSE(make_step_view(m, ClassroomUi{}).can_step);
  m.step_mode = false;
  m.pending.clear();
  const StepView v = make_step_view(m, ClassroomUi{});
  CHECK_FALSE(v.can_step);
  CHECK(v.mode_words.find("step mode off") == 0);
}

TEST_CASE(
    "the Step panel's buttons ask for step mode, a step, a peer's step, run, pause and run to "
    "event") {
  Gui gui;
  SessionHistory history;
  ActingState acting;
  ClassroomModel m;
  m.step_mode = true;
  m.pending = {parked(1, shmipc::Role::Child, kChildPid, JournalKind::LockRequested),
               parked(0, shmipc::Role::Parent, kParentPid, JournalKind::EventConsumed)};
  ClassroomUi cui;
  cui.chosen_peer_slot = 0;
  UiState ui;
  PanelOutput out;
  const PanelInput pin{history, acting, kT0};
  const ClassroomInput in{m, pin};
  auto draw = [&] {
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(900, 700));
    draw_step_panel(in, cui, ui, out);
  };
  gui.frame(draw);
  gui.frame(draw);
  gui.click_at(ImVec2(880, 690), draw);  // focus the window first, away from any widget
  for (const char* w : {"step_one", "step_peer", "step_run", "step_pause", "step_run_to_event"})
    gui.click_widget(w, draw);
  REQUIRE(out.actions.size() == 5);
  CHECK(out.actions[0].kind == ActionRequest::Kind::StepOne);
  CHECK(out.actions[0].slot == -1);
  CHECK(out.actions[1].kind == ActionRequest::Kind::StepOne);
  CHECK(out.actions[1].slot == 0);
  CHECK(out.actions[2].kind == ActionRequest::Kind::StepRun);
  CHECK(out.actions[3].kind == ActionRequest::Kind::StepPause);
  CHECK(out.actions[4].kind == ActionRequest::Kind::StepRunToEvent);
  out.actions.clear();
  gui.click_widget("step_mode", draw);
  REQUIRE(out.actions.size() == 1);
  CHECK(out.actions[0].kind == ActionRequest::Kind::StepModeSet);
  CHECK_FALSE(out.actions[0].flag);  // it was on: the click turns it off
}

TEST_CASE("keys step back and forward through kept steps, and Space at the newest asks for a grant") {
  Gui gui;
  ImGuiIO& io = ImGui::GetIO();
  io.KeyMap[ImGuiKey_Space] = 32;
  io.KeyMap[ImGuiKey_LeftArrow] = 263;
  io.KeyMap[ImGuiKey_RightArrow] = 262;
  ClassroomModel m;
  m.scenario_active = m.scenario_running = m.scenario_waiting = true;
  m.steps = three_steps();
  ClassroomUi cui;
  cui.layout = true;
  PanelOutput out;
  auto press = [&](int key) {
    io.KeysDown[key] = true;
    gui.frame([&] { handle_classroom_keys(m, cui, out); });
    io.KeysDown[key] = false;
    gui.frame([&] { handle_classroom_keys(m, cui, out); });
  };
  CHECK(cui.shown_step(3) == 2);
  press(263);  // Left
  CHECK(cui.shown_step(3) == 1);
  CHECK(cui.in_past(3));
  press(1);  // Backspace (the fixture maps it to 1)
  CHECK(cui.shown_step(3) == 0);
  press(263);
  CHECK(cui.shown_step(3) == 0);  // nothing before the first step
  press(32);                      // Space in the past: forward, no grant
  CHECK(cui.shown_step(3) == 1);
  press(262);  // Right to the newest: follows new steps again
  CHECK(cui.cursor == -1);
  CHECK(out.actions.empty());
  press(32);
  REQUIRE(out.actions.size() == 1);
  CHECK(out.actions[0].kind == ActionRequest::Kind::StepOne);
  press('R');
  press('P');
  press('E');
  REQUIRE(out.actions.size() == 4);
  CHECK(out.actions[1].kind == ActionRequest::Kind::StepRun);
  CHECK(out.actions[2].kind == ActionRequest::Kind::StepPause);
  CHECK(out.actions[3].kind == ActionRequest::Kind::StepRunToEvent);
  press(294);  // F5
  CHECK(cui.presentation);
}

TEST_CASE("the fields a step changed are those whose bytes differ, heartbeats left out") {
  auto steps = three_steps();
  const auto names = [](const std::vector<BlockField>& fs) {
    std::vector<std::string> out;
    for (const auto& f : fs) out.push_back(f.name);
    return out;
  };
  const auto second = names(fields_changed_by_step(*steps, 1));
  CHECK(has(second, "message.data_size"));
  CHECK(has(second, "message.message_sequence"));
  CHECK(has(second, "message.data"));
  CHECK(has(second, "journal"));
  CHECK_FALSE(has(second, "mutex.owner_pid"));  // unchanged since step 1
  const auto first = names(fields_changed_by_step(*steps, 0));
  CHECK(has(first, "mutex.owner_pid"));
  const auto third = names(fields_changed_by_step(*steps, 2));
  CHECK_FALSE(has(third, "participants[1].heartbeat_ns"));
  CHECK(third == std::vector<std::string>{"journal"});

  ClassroomModel m;
  m.scenario_active = true;
  m.steps = steps;
  ClassroomUi cui;
  cui.cursor = 1;
  const StepView v = make_step_view(m, cui);
  CHECK(v.past);
  CHECK(v.changed == second);
  CHECK(v.shown_title.find("step 2 of 3 - child: The child wrote") == 0);
}

TEST_CASE("the history at a step is the block and journal as they were right after that step") {
  auto steps = three_steps();
  const SessionHistory h = history_at_step(*steps, 1);
  REQUIRE(h.latest() != nullptr);
  CHECK(h.latest()->raw == (*steps)[1].snapshot.raw);
  CHECK(h.latest()->message.data_size == 2);
  REQUIRE(h.journal().size() == 2);
  CHECK(h.journal().back().record.kind == static_cast<std::uint16_t>(JournalKind::MessageWritten));
  const SessionHistory last = history_at_step(*steps, 99);  // clamped to the newest
  CHECK(last.journal().size() == 3);
  CHECK(last.latest()->raw == steps->back().snapshot.raw);
}

TEST_CASE("a peer parked at its gate is found in a copy of the block") {
  FakeBlock b = two_peers();
  const std::size_t child = 2624 + 64;
  b.put32(child + 40, static_cast<std::uint32_t>(JournalKind::MessageWritten));
  b.put32(child + 44, 3);  // grants
  b.put32(child + 48, 3);  // taken: parked, not granted yet
  b.put32(child + 52, 5);
  auto parked_now = parked_in_snapshot(b.snapshot(kT0));
  REQUIRE(parked_now.size() == 1);
  CHECK(parked_now[0].slot == 1);
  CHECK(parked_now[0].role == shmipc::Role::Child);
  CHECK(parked_now[0].kind == JournalKind::MessageWritten);
  CHECK(parked_now[0].arg == 5);
  b.put32(child + 44, 4);  // granted: on its way, no longer parked
  CHECK(parked_in_snapshot(b.snapshot(kT0)).empty());
}

TEST_CASE(
    "looking back in the classroom layout pins the step's last journal entry, and newest unpins") {
  Gui gui;
  auto steps = three_steps();
  ClassroomModel m;
  m.scenario_active = true;
  m.steps = steps;
  ClassroomUi cui;
  cui.cursor = 1;
  UiState ui;
  PanelOutput out;
  ActingState acting;
  const SessionHistory past = history_at_step(*steps, 1);
  const PanelInput pin{past, acting, kT0 + 4 * kMs};
  const ClassroomInput in{m, pin};
  gui.frame([&] { draw_classroom_panels(in, cui, ui, out); });
  CHECK(ui.pinned_journal_seq == static_cast<std::int64_t>(past.journal().back().seq));
  CHECK(ui.diagram_scroll_to_newest == false);  // consumed by the diagram this frame
  // The Block panel's "Back to live" clears the pin: the classroom follows the newest step.
  ui.pinned_journal_seq = -1;
  gui.frame([&] { draw_classroom_panels(in, cui, ui, out); });
  CHECK(cui.cursor == -1);
  CHECK(ui.pinned_journal_seq == -1);
  for (const char* w : {"Lesson", "Step", "Sequence diagram", "Block", "Events", "Mutex"}) {
    ImGuiWindow* win = ImGui::FindWindowByName(w);
    REQUIRE_MESSAGE(win != nullptr, w);
    CHECK_MESSAGE(win->Active, w << " is drawn in the classroom layout");
  }
}

namespace {

struct KeyDriver {
  Gui gui;
  ImGuiIO& io = ImGui::GetIO();
  KeyDriver() {
    io.KeyMap[ImGuiKey_Space] = 32;
    io.KeyMap[ImGuiKey_LeftArrow] = 263;
    io.KeyMap[ImGuiKey_RightArrow] = 262;
  }
  void press(int key, const ClassroomModel& m, ClassroomUi& cui, PanelOutput& out) {
    io.KeysDown[key] = true;
    gui.frame([&] { handle_classroom_keys(m, cui, out); });
    io.KeysDown[key] = false;
    gui.frame([&] { handle_classroom_keys(m, cui, out); });
  }
  void idle(const ClassroomModel& m, ClassroomUi& cui, PanelOutput& out) {
    gui.frame([&] { handle_classroom_keys(m, cui, out); });
  }
};

}  // namespace

TEST_CASE("Space pressed while the peers are between gates is kept and granted when one parks") {
  KeyDriver keys;
  ClassroomModel m;
  m.scenario_active = m.scenario_running = true;
  m.scenario_waiting = false;  // the last grant is still being carried out
  m.steps = three_steps();
  ClassroomUi cui;
  cui.layout = true;
  PanelOutput out;
  keys.press(32, m, cui, out);
  CHECK(out.actions.empty());
  CHECK(cui.queued_steps == 1);
  CHECK(make_step_view(m, cui).queued_steps == 1);
  for (int i = 0; i < 10; ++i) keys.press(32, m, cui, out);  // a held key: bounded
  CHECK(cui.queued_steps == ClassroomUi::kMaxQueuedSteps);
  m.scenario_waiting = true;  // a peer parked: one queued press becomes one grant per frame
  keys.idle(m, cui, out);
  REQUIRE(out.actions.size() == 1);
  CHECK(out.actions[0].kind == ActionRequest::Kind::StepOne);
  CHECK(cui.queued_steps == ClassroomUi::kMaxQueuedSteps - 1);
  m.scenario_running = false;  // the run ended: nothing is left queued
  keys.idle(m, cui, out);
  CHECK(cui.queued_steps == 0);
}

TEST_CASE("While the quiz asks what happens next, the Step panel hides the parked peer's next action") {
  ClassroomModel m;
  m.step_mode = true;
  m.pending.push_back(parked(1, shmipc::Role::Child, kChildPid, JournalKind::LockRequested));
  ClassroomUi cui;
  const std::string answer = make_step_view(m, cui).pending.at(0).words;
  CHECK(answer.find("(hidden") == std::string::npos);
  cui.quiz.enabled = true;
  cui.quiz.question.choices.resize(2);
  cui.quiz.chosen = -1;
  StepView asked = make_step_view(m, cui);
  CHECK(asked.quiz_blocks);
  CHECK(asked.pending.at(0).words == "(hidden until the quiz is answered)");
  cui.quiz.chosen = 0;
  CHECK(make_step_view(m, cui).pending.at(0).words == answer);
}

TEST_CASE("R runs to the end and the panels follow the newest step again") {
  KeyDriver keys;
  ClassroomModel m;
  m.scenario_active = m.scenario_running = m.scenario_waiting = true;
  m.steps = three_steps();
  ClassroomUi cui;
  cui.layout = true;
  cui.cursor = 0;  // looking back at step 1
  PanelOutput out;
  keys.press('R', m, cui, out);
  REQUIRE(out.actions.size() == 1);
  CHECK(out.actions[0].kind == ActionRequest::Kind::StepRun);
  CHECK(cui.cursor == -1);
  CHECK_FALSE(cui.in_past(3));
}
