// Headless tests of the Lesson panel: goal, expected outcome, narration and verdict; the quiz
// (its choices and its score); the scenario picker; narration for the diagram's tooltip.
#include <doctest/doctest.h>
#include <imgui.h>

#include <algorithm>
#include <memory>
#include <set>

#include "model/classroom_model.hpp"
#include "panel_fixtures.hpp"
#include "panels/classroom_panels.hpp"
#include "panels/lesson_view.hpp"
#include "panels/step_view.hpp"
#include "shmipc/narration.hpp"

using namespace shmscope;
using namespace paneltest;
using shmipc::JournalKind;

namespace {

shmipc::PendingAction parked(int slot, shmipc::Role role, JournalKind kind) {
  shmipc::PendingAction a;
  a.slot = slot;
  a.role = role;
  a.pid = role == shmipc::Role::Parent ? kParentPid : kChildPid;
  a.kind = kind;
  return a;
}

shmipc::ScenarioStep granted(int number, shmipc::Role role, JournalKind kind, std::string text) {
  shmipc::ScenarioStep s;
  s.number = number;
  s.granted = true;
  s.role = role;
  s.kind = kind;
  s.actor = role == shmipc::Role::Parent ? "parent" : "child";
  s.narration = std::move(text);
  return s;
}

ClassroomModel finished_scenario(bool passed) {
  ClassroomModel m;
  m.scenario_active = true;
  m.scenario_name = "one-message-with-receipt";
  m.scenario = {"one-message-with-receipt", "One message with its receipt", "Follow one message.",
                "The parent receives it.", 2};
  auto steps = std::make_shared<std::vector<shmipc::ScenarioStep>>();
  shmipc::ScenarioStep start;
  start.number = 1;
  start.actor = "runner";
  start.narration = "The runner starts the parent and the child.";
  steps->push_back(start);
  steps->push_back(
      granted(2, shmipc::Role::Child, JournalKind::LockRequested, "The child locked the mutex."));
  m.steps = steps;
  m.verdict_known = true;
  m.passed = passed;
  if (passed) {
    m.checks_passed = {"result sent.receipt equals true"};
  } else {
    m.failures = {"result sent.receipt: expected true, got false",
                  "segment: expected removed, found present"};
  }
  return m;
}

}  // namespace

TEST_CASE("the lesson view shows the goal, the expected outcome, each narration and a pass") {
  const ClassroomModel m = finished_scenario(true);
  ClassroomUi cui;
  const LessonView v = make_lesson_view(m, cui);
  CHECK(v.title == "One message with its receipt");
  CHECK(v.goal == "Follow one message.");
  CHECK(v.expected == "The parent receives it.");
  REQUIRE(v.lines.size() == 2);
  CHECK_FALSE(v.lines[0].granted);
  CHECK(v.lines[1].granted);
  CHECK(v.lines[1].shown);  // the newest step, as nobody moved the cursor
  CHECK(v.shown_narration == "The child locked the mutex.");
  CHECK(v.verdict_known);
  CHECK(v.passed);
  CHECK(v.verdict_words.find("PASS") == 0);
  CHECK(v.reasons == m.checks_passed);
  cui.cursor = 0;
  CHECK(make_lesson_view(m, cui).shown_narration == "The runner starts the parent and the child.");
}

TEST_CASE("a failed scenario shows FAIL with every reason") {
  const ClassroomModel m = finished_scenario(false);
  const LessonView v = make_lesson_view(m, ClassroomUi{});
  CHECK_FALSE(v.passed);
  CHECK(v.verdict_words == "FAIL: 2 checks failed");
  CHECK(v.reasons == m.failures);
}

TEST_CASE("before the run ends there is no verdict") {
  ClassroomModel m = finished_scenario(true);
  m.verdict_known = false;
  m.scenario_running = true;
  CHECK_FALSE(make_lesson_view(m, ClassroomUi{}).verdict_known);
}

TEST_CASE(
    "a quiz question offers the parked action among four distinct choices, the same each time") {
  const std::vector<shmipc::PendingAction> p{
      parked(1, shmipc::Role::Child, JournalKind::LockRequested)};
  const QuizQuestion q = make_quiz_question(p, 5);
  REQUIRE(q.choices.size() == 4);
  CHECK(q.for_step == 5);
  std::set<JournalKind> kinds;
  for (const auto& c : q.choices) {
    kinds.insert(c.kind);
    CHECK(c.words.find("The child is about to") == 0);
  }
  CHECK(kinds.size() == 4);
  CHECK(kinds.count(JournalKind::LockRequested) == 1);
  const QuizQuestion again = make_quiz_question(p, 5);
  for (std::size_t i = 0; i < 4; ++i) CHECK(again.choices[i].kind == q.choices[i].kind);
  CHECK(make_quiz_question({}, 5).choices.empty());
}

TEST_CASE(
    "the quiz scores an answer against the step that then happened, and blocks Step until "
    "answered") {
  ClassroomModel m;
  m.step_mode = true;
  m.pending = {parked(1, shmipc::Role::Child, JournalKind::LockRequested)};
  auto steps = std::make_shared<std::vector<shmipc::ScenarioStep>>();
  m.steps = steps;
  ClassroomUi cui;
  cui.quiz.enabled = true;
  update_quiz(m, cui.quiz, false);
  REQUIRE(cui.quiz.question.choices.size() == 4);
  CHECK(cui.quiz.question.for_step == 1);
  CHECK(make_step_view(m, cui).quiz_blocks);

  const auto& choices = cui.quiz.question.choices;
  const int right = static_cast<int>(
      std::find_if(choices.begin(), choices.end(),
                   [](const QuizChoice& c) { return c.kind == JournalKind::LockRequested; }) -
      choices.begin());
  cui.quiz.chosen = right;
  CHECK_FALSE(make_step_view(m, cui).quiz_blocks);
  steps->push_back(
      granted(1, shmipc::Role::Child, JournalKind::LockRequested, "The child locked."));
  m.pending = {parked(1, shmipc::Role::Child, JournalKind::MessageWritten)};
  update_quiz(m, cui.quiz, false);
  CHECK(cui.quiz.asked == 1);
  CHECK(cui.quiz.right == 1);
  CHECK(cui.quiz.last_right);
  CHECK(cui.quiz.last_feedback.find("Right") == 0);
  // The next question is about step 2; a wrong answer is counted as asked, not right.
  REQUIRE(cui.quiz.question.for_step == 2);
  const auto& next = cui.quiz.question.choices;
  cui.quiz.chosen = static_cast<int>(
      std::find_if(next.begin(), next.end(),
                   [](const QuizChoice& c) { return c.kind != JournalKind::MessageWritten; }) -
      next.begin());
  steps->push_back(
      granted(2, shmipc::Role::Child, JournalKind::MessageWritten, "The child wrote."));
  update_quiz(m, cui.quiz, false);
  CHECK(cui.quiz.asked == 2);
  CHECK(cui.quiz.right == 1);
  CHECK_FALSE(cui.quiz.last_right);
  CHECK(make_lesson_view(m, cui).quiz_score == "quiz: 1 of 2 right");
}

TEST_CASE("Start in the Lesson panel asks for the chosen scenario") {
  Gui gui;
  SessionHistory history;
  ActingState acting;
  ClassroomModel m;
  m.scenarios = {{"child-joins", "The child joins", "goal one", "outcome one", 1},
                 {"one-message-with-receipt", "One message", "goal two", "outcome two", 2}};
  ClassroomUi cui;
  cui.chosen_scenario = 1;
  UiState ui;
  PanelOutput out;
  const PanelInput pin{history, acting, kT0};
  const ClassroomInput in{m, pin};
  auto draw = [&] {
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(800, 700));
    draw_lesson_panel(in, cui, ui, out);
  };
  gui.frame(draw);
  gui.frame(draw);
  gui.click_at(ImVec2(780, 690), draw);
  gui.click_widget("scenario_start", draw);
  REQUIRE(out.actions.size() == 1);
  CHECK(out.actions[0].kind == ActionRequest::Kind::ScenarioStart);
  CHECK(out.actions[0].text == "one-message-with-receipt");
}

TEST_CASE("the diagram's tooltip narration is the narration of the journal record under it") {
  SessionHistory h;
  FakeBlock b = two_peers();
  b.journal(JournalKind::LockRequested, shmipc::Role::Child, kChildPid, kT0 + kMs);
  b.journal(JournalKind::EventSet, shmipc::Role::Child, kChildPid, kT0 + 2 * kMs,
            static_cast<std::uint32_t>(shmipc::EventId::SendMessage));
  b.ingest_into(h, kT0 + 3 * kMs);
  REQUIRE(h.journal().size() == 2);
  CHECK(narration_of_journal_entry(h, 1) == shmipc::narrate_record(h.journal()[1].record));
  CHECK(narration_of_journal_entry(h, 1).find("SendMessage") != std::string::npos);
  CHECK(narration_of_journal_entry(h, 7).empty());
}
