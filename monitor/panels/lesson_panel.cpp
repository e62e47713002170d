// The Lesson panel: pick a scenario (its goal and expected outcome), start it, read why each
// step happens, see the verdict; the quiz; and the exports for slides and Perfetto.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>

#include "panels/classroom_panels.hpp"
#include "panels/lesson_view.hpp"
#include "panels/panel_widgets.hpp"
#include "ui/palette.hpp"
#include "ui/widget_registry.hpp"

namespace shmscope {

namespace {

void draw_picker(const ClassroomModel& m, ClassroomUi& cui, PanelOutput& out) {
  if (m.scenarios.empty()) {
    ImGui::TextColored(colour_vec4(UiColour::Muted), "no scenarios found");
    return;
  }
  // A run started elsewhere (--scenario): the picker shows it.
  if (m.scenario_active && m.scenario_name != cui.picker_follows) {
    cui.picker_follows = m.scenario_name;
    for (std::size_t i = 0; i < m.scenarios.size(); ++i)
      if (m.scenarios[i].name == m.scenario_name) cui.chosen_scenario = static_cast<int>(i);
  }
  cui.chosen_scenario =
      std::clamp(cui.chosen_scenario, 0, static_cast<int>(m.scenarios.size()) - 1);
  const ScenarioSummary& chosen = m.scenarios[static_cast<std::size_t>(cui.chosen_scenario)];
  const std::string label = std::to_string(chosen.number) + ". " + chosen.title;
  ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 9);
  if (ImGui::BeginCombo("##scenario", label.c_str())) {
    for (std::size_t i = 0; i < m.scenarios.size(); ++i) {
      const ScenarioSummary& s = m.scenarios[i];
      const std::string item = std::to_string(s.number) + ". " + s.title;
      if (ImGui::Selectable(item.c_str(), static_cast<int>(i) == cui.chosen_scenario))
        cui.chosen_scenario = static_cast<int>(i);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", s.goal.c_str());
    }
    ImGui::EndCombo();
  }
  record_widget("scenario_picker");
  ImGui::SameLine();
  if (ImGui::Button("Start")) {
    ActionRequest r;
    r.kind = ActionRequest::Kind::ScenarioStart;
    r.text = chosen.name;
    out.actions.push_back(r);
    cui.cursor = -1;
  }
  record_widget("scenario_start");
  if (m.scenario_active) {
    ImGui::SameLine();
    if (ImGui::Button("Stop")) {
      ActionRequest r;
      r.kind = ActionRequest::Kind::ScenarioStop;
      out.actions.push_back(r);
    }
  }
  if (!m.scenario_active || m.scenario_name != chosen.name) {
    ImGui::TextWrapped("Goal: %s", chosen.goal.c_str());
    ImGui::TextWrapped("Expected: %s", chosen.expected.c_str());
  }
}

void draw_quiz(const ClassroomModel& m, ClassroomUi& cui, const LessonView& v) {
  ImGui::Checkbox("Quiz: ask \"what happens next?\" before each step", &cui.quiz.enabled);
  if (!cui.quiz.enabled) return;
  ImGui::SameLine();
  ImGui::TextColored(colour_vec4(UiColour::Good), "%s", v.quiz_score.c_str());
  const QuizState& q = cui.quiz;
  if (!q.last_feedback.empty()) {
    ImGui::TextColored(colour_vec4(q.last_right ? UiColour::Good : UiColour::Waiting), "%s",
                       q.last_feedback.c_str());
  }
  if (q.question.choices.empty()) {
    ImGui::TextColored(colour_vec4(UiColour::Muted),
                       m.pending.empty() ? "(no question: nobody is parked)" : "");
    return;
  }
  ImGui::TextUnformatted("What happens next?");
  for (std::size_t i = 0; i < q.question.choices.size(); ++i) {
    const std::string label = std::to_string(i + 1) + "##quiz";
    if (ImGui::RadioButton(label.c_str(), cui.quiz.chosen == static_cast<int>(i)) &&
        cui.quiz.chosen < 0) {
      cui.quiz.chosen = static_cast<int>(i);
    }
    ImGui::SameLine();
    ImGui::TextWrapped("%s", q.question.choices[i].words.c_str());
  }
  if (cui.quiz.chosen >= 0) {
    ImGui::TextColored(colour_vec4(UiColour::Muted), "answered: now Step and see");
  }
}

void draw_exports(ClassroomUi& cui, PanelOutput& out) {
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
  ImGui::InputText("##trace", &cui.trace_path);
  record_widget("export_trace_path");
  ImGui::SameLine();
  if (ImGui::Button("Save trace (Perfetto)")) {
    ActionRequest r;
    r.kind = ActionRequest::Kind::ExportTrace;
    r.text = cui.trace_path;
    out.actions.push_back(r);
  }
  record_widget("export_trace");
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
  ImGui::InputText("##diagram", &cui.diagram_path);
  record_widget("export_diagram_path");
  ImGui::SameLine();
  if (ImGui::Button("Save diagram PNG")) {
    ActionRequest r;
    r.kind = ActionRequest::Kind::ExportDiagramPng;
    r.text = cui.diagram_path;
    out.actions.push_back(r);
  }
  record_widget("export_diagram");
}

}  // namespace

void draw_lesson_panel(const ClassroomInput& in, ClassroomUi& cui, UiState& /*ui*/,
                       PanelOutput& out) {
  if (!ImGui::Begin("Lesson")) {
    ImGui::End();
    return;
  }
  const ClassroomModel& m = in.model;
  const LessonView v = make_lesson_view(m, cui);
  draw_picker(m, cui, out);
  ImGui::Separator();
  if (!v.title.empty()) {
    ImGui::TextColored(colour_vec4(UiColour::Text), "%s", v.title.c_str());
    if (!v.goal.empty()) ImGui::TextWrapped("Goal: %s", v.goal.c_str());
    if (!v.expected.empty()) ImGui::TextWrapped("Expected: %s", v.expected.c_str());
  }
  if (!v.status.empty()) ImGui::TextColored(colour_vec4(UiColour::Muted), "%s", v.status.c_str());
  if (v.verdict_known) {
    ImGui::TextColored(colour_vec4(v.passed ? UiColour::Good : UiColour::Corrupt), "%s",
                       v.verdict_words.c_str());
    for (const std::string& r : v.reasons) {
      ImGui::Bullet();
      ImGui::TextWrapped("%s", r.c_str());
    }
    for (const std::string& f : v.figures)
      ImGui::TextColored(colour_vec4(UiColour::Hover), "measured %s", f.c_str());
  }
  if (!v.shown_narration.empty()) {
    ImGui::Separator();
    text_wrapped_in(colour_vec4(UiColour::Hover), v.shown_narration.c_str());
  }
  ImGui::Separator();
  draw_quiz(m, cui, v);
  const bool exports_open = ImGui::CollapsingHeader("Exports");
  record_widget("exports");
  if (exports_open) draw_exports(cui, out);
  if (!m.last_error.empty())
    ImGui::TextColored(colour_vec4(UiColour::Corrupt), "%s", m.last_error.c_str());
  if (!m.last_result.empty())
    ImGui::TextColored(colour_vec4(UiColour::Good), "%s", m.last_result.c_str());
  ImGui::Separator();
  // Every step so far; clicking one travels there.
  ImGui::BeginChild("steps", ImVec2(0, 0), false);
  for (std::size_t i = 0; i < v.lines.size(); ++i) {
    const LessonLine& l = v.lines[i];
    const std::string text =
        std::to_string(l.number) + ". " + (l.actor.empty() ? "" : l.actor + ": ") + l.narration;
    ImGui::PushID(static_cast<int>(i));
    ImGui::PushStyleColor(ImGuiCol_Text, colour_vec4(l.granted ? UiColour::Text : UiColour::Muted));
    // A selectable as tall as the wrapped sentence, with the sentence drawn over it.
    const ImVec2 at = ImGui::GetCursorPos();
    const float wrap = ImGui::GetContentRegionAvail().x;
    const ImVec2 size = ImGui::CalcTextSize(text.c_str(), nullptr, false, wrap);
    if (ImGui::Selectable("##step", l.shown, 0, ImVec2(0, size.y))) {
      cui.cursor = i + 1 >= v.lines.size() ? -1 : static_cast<std::int64_t>(i);
    }
    ImGui::SetCursorPos(at);
    ImGui::PushTextWrapPos(at.x + wrap);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    ImGui::PopID();
    if (l.shown && cui.scroll_to_shown) {
      ImGui::SetScrollHereY();
      cui.scroll_to_shown = false;
    }
  }
  if (!cui.in_past(v.lines.size()) && !cui.scroll_to_shown &&
      ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - 40)
    ImGui::SetScrollHereY(1.0f);
  ImGui::EndChild();
  ImGui::End();
}

}  // namespace shmscope
