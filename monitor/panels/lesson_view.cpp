#include "panels/lesson_view.hpp"

#include <cstdio>

namespace shmscope {

LessonView make_lesson_view(const ClassroomModel& m, const ClassroomUi& cui) {
  LessonView v;
  v.scenario = m.scenario_active;
  if (m.scenario_active) {
    v.title = m.scenario.title.empty() ? m.scenario_name : m.scenario.title;
    v.goal = m.scenario.goal;
    v.expected = m.scenario.expected;
  } else if (m.step_mode) {
    v.title = "live step mode";
  }
  const std::size_t count = m.step_count();
  const std::int64_t shown = cui.shown_step(count);
  if (m.steps) {
    for (std::size_t i = 0; i < count; ++i) {
      const shmipc::ScenarioStep& s = (*m.steps)[i];
      LessonLine line;
      line.number = static_cast<int>(i) + 1;
      line.actor = s.actor;
      line.narration = s.narration;
      line.granted = s.granted;
      line.shown = static_cast<std::int64_t>(i) == shown;
      if (line.shown) v.shown_narration = s.narration;
      v.lines.push_back(std::move(line));
    }
  }
  if (m.scenario_active && m.verdict_known) {
    v.verdict_known = true;
    v.passed = m.passed;
    if (m.passed) {
      v.verdict_words = "PASS: the outcome was the expected one";
      v.reasons = m.checks_passed;
    } else {
      v.verdict_words = "FAIL: " + std::to_string(m.failures.size()) +
                        (m.failures.size() == 1 ? " check failed" : " checks failed");
      v.reasons = m.failures;
    }
    for (const auto& [name, value] : m.figures) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.1f", value);
      v.figures.push_back(name + ": " + buf + (name.find("_us") != std::string::npos ? " us" : ""));
    }
  }
  if (cui.quiz.enabled) {
    v.quiz_score = "quiz: " + std::to_string(cui.quiz.right) + " of " +
                   std::to_string(cui.quiz.asked) + " right";
  }
  if (!m.scenario_active && !m.step_mode && count == 0) {
    v.status = "Pick a scenario and press Start, or turn step mode on for the attached session.";
  }
  return v;
}

void update_quiz(const ClassroomModel& m, QuizState& quiz, bool in_past) {
  if (!quiz.enabled) {
    quiz.question = {};
    quiz.chosen = -1;
    return;
  }
  const std::size_t count = m.step_count();
  QuizQuestion& q = quiz.question;
  if (!q.choices.empty() && count >= q.for_step && m.steps) {
    // The step the question was about happened: the first action granted since.
    const shmipc::ScenarioStep* actual = nullptr;
    for (std::size_t i = q.for_step - 1; i < count && actual == nullptr; ++i) {
      if ((*m.steps)[i].granted) actual = &(*m.steps)[i];
    }
    if (actual != nullptr) {
      if (quiz.chosen >= 0) {
        quiz.asked++;
        quiz.last_right = quiz_answer_right(q, quiz.chosen, *actual);
        if (quiz.last_right) quiz.right++;
        quiz.last_feedback =
            (quiz.last_right ? "Right: " : "Not quite. What happened: ") + actual->narration;
        quiz.answered_step = static_cast<std::size_t>(actual->number);
      }
      q = {};
      quiz.chosen = -1;
    }
  }
  if (q.choices.empty() && !in_past) {
    q = make_quiz_question(m.pending, count + 1);
    quiz.chosen = -1;
  }
}

}  // namespace shmscope
