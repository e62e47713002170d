// View model of the Lesson panel: the scenario's goal and expected outcome, the narration of
// every step (the shown one marked), the verdict with its reasons, and the quiz.
#pragma once

#include <string>
#include <vector>

#include "model/classroom_model.hpp"
#include "ui/classroom_ui.hpp"

namespace shmscope {

struct LessonLine {
  int number = 0;
  std::string actor;
  std::string narration;
  bool granted = false;  // a protocol action (else something the runner did)
  bool shown = false;    // the step the time-travel cursor is on
};

struct LessonView {
  bool scenario = false;
  std::string title, goal, expected;
  std::vector<LessonLine> lines;
  std::string shown_narration;  // of the step the cursor is on
  bool verdict_known = false;
  bool passed = false;
  std::string verdict_words;         // "PASS: the outcome matched" / "FAIL: 2 checks failed"
  std::vector<std::string> reasons;  // failures, or the checks that passed
  std::vector<std::string> figures;  // measured values: "polling_us: 10234.5"
  std::string quiz_score;            // "quiz: 3 of 4 right"
  std::string status;                // nothing to show yet
};

LessonView make_lesson_view(const ClassroomModel& model, const ClassroomUi& cui);

// Keeps the quiz in step with the run: scores an answer once the step it was about has
// happened, and asks the next question while someone is parked. Call once per frame.
void update_quiz(const ClassroomModel& model, QuizState& quiz, bool in_past);

}  // namespace shmscope
