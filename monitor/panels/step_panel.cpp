// The Step panel: step mode for the attached session (or the pacing of a scenario run), each
// parked peer's next action in words, the grant buttons, and the time-travel scrubber with
// the fields the shown step changed.
#include <imgui.h>

#include <algorithm>

#include "model/block_fields.hpp"
#include "panels/classroom_panels.hpp"
#include "panels/panel_widgets.hpp"
#include "panels/step_view.hpp"
#include "ui/palette.hpp"
#include "ui/widget_registry.hpp"

namespace shmscope {

namespace {

// GLFW key codes, which the Dear ImGui 1.86 GLFW backend uses as KeysDown indices (letters
// are their ASCII capitals).
constexpr int kKeyF5 = 294;

ActionRequest request(ActionRequest::Kind kind) {
  ActionRequest r;
  r.kind = kind;
  return r;
}

bool key_pressed(int key) {
  return key >= 0 && ImGui::IsKeyPressed(key, false);
}
bool named_key_pressed(ImGuiKey key) {
  return key_pressed(ImGui::GetKeyIndex(key));
}

// Something runs in steps and will park again soon: a scenario working towards its next gate,
// or live step mode with peers attached.
bool waiting_for_gate(const ClassroomModel& m) {
  return m.scenario_active ? m.scenario_running : m.step_mode;
}

// Step: forward through the past first; at the newest step, grant the next action.
// `blocked`: nothing may be granted now (nobody parked, or the quiz wants its answer).
void step_forward(const ClassroomModel& m, ClassroomUi& cui, bool blocked, PanelOutput& out) {
  const std::size_t count = m.step_count();
  if (cui.in_past(count)) {
    cui.cursor++;
    if (static_cast<std::size_t>(cui.cursor) + 1 >= count) cui.cursor = -1;  // follow again
    return;
  }
  if (blocked) {
    // Between two gates (a peer is still working towards its next one): keep the press.
    if (waiting_for_gate(m) && cui.queued_steps < ClassroomUi::kMaxQueuedSteps) ++cui.queued_steps;
    return;
  }
  out.actions.push_back(request(ActionRequest::Kind::StepOne));
}

void step_back(const ClassroomModel& m, ClassroomUi& cui) {
  const std::int64_t shown = cui.shown_step(m.step_count());
  if (shown > 0) cui.cursor = shown - 1;
}

void slow_motion(ClassroomUi& cui, PanelOutput& out) {
  ActionRequest r = request(ActionRequest::Kind::StepSlowMotion);
  r.seconds = static_cast<double>(cui.slow_motion_ms) / 1000.0;
  out.actions.push_back(r);
}

}  // namespace

const char* classroom_shortcuts_text() {
  return "Space / Right: step (forward)   Left / Backspace: back   R: run   P: pause   "
         "E: run to next event   1-4: quiz answer   F5: presentation";
}

void handle_classroom_keys(const ClassroomModel& m, ClassroomUi& cui, PanelOutput& out) {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;
  if (key_pressed(kKeyF5)) {
    cui.presentation = !cui.presentation;
    if (cui.presentation) cui.layout = true;
  }
  if (!cui.layout) return;
  const StepView v = make_step_view(m, cui);
  if (named_key_pressed(ImGuiKey_Space) || named_key_pressed(ImGuiKey_RightArrow)) {
    // While the quiz wants its answer the press is not kept.
    if (!v.quiz_blocks) step_forward(m, cui, !v.can_step, out);
  }
  if (!waiting_for_gate(m)) {
    cui.queued_steps = 0;
  } else if (cui.queued_steps > 0 && v.can_step && !v.quiz_blocks && !cui.in_past(m.step_count())) {
    --cui.queued_steps;
    out.actions.push_back(request(ActionRequest::Kind::StepOne));
  }
  if (named_key_pressed(ImGuiKey_LeftArrow) || named_key_pressed(ImGuiKey_Backspace)) {
    step_back(m, cui);
  }
  if (key_pressed('R')) {
    out.actions.push_back(request(ActionRequest::Kind::StepRun));
    cui.cursor = -1;  // running: the panels follow the newest step again
    cui.queued_steps = 0;
  }
  if (key_pressed('P')) out.actions.push_back(request(ActionRequest::Kind::StepPause));
  if (key_pressed('E')) out.actions.push_back(request(ActionRequest::Kind::StepRunToEvent));
  if (cui.quiz.enabled && cui.quiz.chosen < 0) {
    for (int i = 0; i < 4; ++i) {
      if (static_cast<std::size_t>(i) < cui.quiz.question.choices.size() && key_pressed('1' + i))
        cui.quiz.chosen = i;
    }
  }
}

void draw_step_panel(const ClassroomInput& in, ClassroomUi& cui, UiState& ui, PanelOutput& out) {
  if (!ImGui::Begin("Step")) {
    ImGui::End();
    return;
  }
  const ClassroomModel& m = in.model;
  const StepView v = make_step_view(m, cui);

  if (!v.scenario) {
    bool on = v.step_mode;
    if (ImGui::Checkbox("Step mode", &on)) {
      ActionRequest r = request(ActionRequest::Kind::StepModeSet);
      r.flag = on;
      out.actions.push_back(r);
    }
    record_widget("step_mode");
    ImGui::SameLine();
  }
  ImGui::TextWrapped("%s", v.mode_words.c_str());
  if (v.queued_steps > 0) {
    ImGui::TextColored(colour_vec4(UiColour::Muted), "%d step%s queued: granted when the next peer parks",
                       v.queued_steps, v.queued_steps == 1 ? "" : "s");
  }
  if (!v.error.empty()) text_wrapped_in(colour_vec4(UiColour::Corrupt), v.error.c_str());

  // Who is parked, and at what.
  if (v.pending.empty()) {
    text_wrapped_in(colour_vec4(UiColour::Muted), "nobody is parked at a step gate");
  } else if (ImGui::BeginTable("pending", v.can_step_peer ? 3 : 2,
                               ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
    for (const PendingLine& p : v.pending) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextColored(colour_vec4(p.alive ? role_colour(p.role) : UiColour::Dead), "%s%s",
                         p.who.c_str(), p.alive ? "" : " DEAD");
      ImGui::TableNextColumn();
      ImGui::TextWrapped("%s", p.words.c_str());
      if (v.can_step_peer) {
        ImGui::TableNextColumn();
        ImGui::PushID(p.slot);
        if (!p.alive) ImGui::BeginDisabled();
        if (ImGui::RadioButton("peer", cui.chosen_peer_slot == p.slot))
          cui.chosen_peer_slot = p.slot;
        if (!p.alive) ImGui::EndDisabled();
        ImGui::PopID();
      }
    }
    ImGui::EndTable();
  }

  // Grants.
  const bool disable_step = !v.can_step || v.quiz_blocks;
  if (disable_step && !v.past) ImGui::BeginDisabled();
  if (ImGui::Button(v.past ? "Forward" : "Step")) step_forward(m, cui, disable_step, out);
  record_widget("step_one");
  if (disable_step && !v.past) ImGui::EndDisabled();
  same_line_if_fits(button_width("Step peer"));
  const bool peer_ok = v.can_step_peer && !v.quiz_blocks &&
                       std::any_of(v.pending.begin(), v.pending.end(), [&](const PendingLine& p) {
                         return p.slot == cui.chosen_peer_slot && p.alive;
                       });
  if (!peer_ok) ImGui::BeginDisabled();
  if (ImGui::Button("Step peer")) {
    ActionRequest r = request(ActionRequest::Kind::StepOne);
    r.slot = cui.chosen_peer_slot;
    out.actions.push_back(r);
  }
  record_widget("step_peer");
  if (!peer_ok) ImGui::EndDisabled();
  same_line_if_fits(button_width("Run"));
  if (ImGui::Button("Run")) {
    out.actions.push_back(request(ActionRequest::Kind::StepRun));
    cui.cursor = -1;
    cui.queued_steps = 0;
  }
  record_widget("step_run");
  same_line_if_fits(button_width("Pause"));
  if (ImGui::Button("Pause")) out.actions.push_back(request(ActionRequest::Kind::StepPause));
  record_widget("step_pause");
  same_line_if_fits(button_width("Run to next event"));
  if (ImGui::Button("Run to next event"))
    out.actions.push_back(request(ActionRequest::Kind::StepRunToEvent));
  record_widget("step_run_to_event");
  if (ImGui::Button("Slow motion")) slow_motion(cui, out);
  same_line_if_fits(ImGui::GetFontSize() * 10 + ImGui::CalcTextSize(" ms per action").x);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
  ImGui::SliderInt("ms per action", &cui.slow_motion_ms, 100, 3000);
  if (ImGui::IsItemDeactivatedAfterEdit() && m.pacing == Pacing::SlowMotion) slow_motion(cui, out);
  text_wrapped_in(colour_vec4(UiColour::Muted), v.pacing_words.c_str());
  if (v.quiz_blocks) {
    text_wrapped_in(colour_vec4(UiColour::Waiting), "answer the quiz (1-4) to step");
  }

  // Time travel.
  ImGui::Separator();
  if (v.step_count == 0) {
    text_wrapped_in(colour_vec4(UiColour::Muted), "time travel: no steps yet");
  } else {
    if (v.shown <= 0) ImGui::BeginDisabled();
    if (ImGui::ArrowButton("back", ImGuiDir_Left)) step_back(m, cui);
    record_widget("step_back");
    if (v.shown <= 0) ImGui::EndDisabled();
    ImGui::SameLine();
    if (!v.past) ImGui::BeginDisabled();
    if (ImGui::ArrowButton("forward", ImGuiDir_Right)) step_forward(m, cui, true, out);
    if (!v.past) ImGui::EndDisabled();
    ImGui::SameLine();
    int pos = static_cast<int>(v.shown) + 1;
    ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 6);
    if (ImGui::SliderInt("##scrub", &pos, 1, static_cast<int>(v.step_count), "step %d")) {
      cui.cursor = static_cast<std::size_t>(pos) >= v.step_count ? -1 : pos - 1;
    }
    record_widget("step_scrubber");
    ImGui::SameLine();
    if (!v.past) ImGui::BeginDisabled();
    if (ImGui::Button("Newest")) cui.cursor = -1;
    if (!v.past) ImGui::EndDisabled();
    if (v.past) {
      text_wrapped_in(colour_vec4(UiColour::Past),
                      "LOOKING BACK: the panels show the block as it was after this step");
    }
    ImGui::TextWrapped("%s", v.shown_title.c_str());
    if (!v.changed.empty()) {
      text_wrapped_in(colour_vec4(UiColour::Glow), "changed by this step (hover: its bytes):");
      const float right_edge = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
      const ImGuiStyle& style = ImGui::GetStyle();
      float last_x = 0;
      for (std::size_t i = 0; i < v.changed.size(); ++i) {
        const std::string& name = v.changed[i];
        const float w = ImGui::CalcTextSize(name.c_str()).x + style.FramePadding.x * 2;
        if (i > 0 && last_x + style.ItemSpacing.x + w < right_edge) ImGui::SameLine();
        ImGui::PushID(static_cast<int>(i));
        ImGui::PushStyleColor(ImGuiCol_Text, colour_vec4(UiColour::Glow));
        ImGui::SmallButton(name.c_str());
        ImGui::PopStyleColor();
        ImGui::PopID();
        last_x = ImGui::GetItemRectMax().x;
        if (ImGui::IsItemHovered()) {
          if (auto f = field_named(name)) {
            ui.hover = {Highlight::Target::BlockRange, 0, f->offset, f->size, -1};
          }
        }
      }
    }
  }
  ImGui::Separator();
  // Wrapped: at a projector's font size the line is wider than the panel.
  text_wrapped_in(colour_vec4(UiColour::Muted), classroom_shortcuts_text());
  ImGui::End();
}

}  // namespace shmscope
