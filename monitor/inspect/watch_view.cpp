// A condition typed by the user ("seq jumps by more than 1", "state becomes ERROR") that
// pauses the view at the sample where it fires and marks the moment.
#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "inspect/inspect_views.hpp"
#include "ui/palette.hpp"
#include "ui/widget_registry.hpp"

namespace shmscope::inspect {
namespace {

std::string since_start(const InspectModel& model, std::uint64_t t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "+%.3f s", static_cast<double>(t - std::min(t, model.first_sample_ns())) * 1e-9);
  return buf;
}

}  // namespace

WatchStatus make_watch_status(const InspectModel& model) {
  WatchStatus s;
  s.paused = model.paused();
  if (model.paused_by_watch() && !model.marks().empty()) {
    s.state = "PAUSED by the watch at " + since_start(model, model.marks().back().time_ns) + ": " +
              model.marks().back().message;
  } else if (model.paused()) {
    s.state = "paused (the view holds one sample; the segment is still sampled)";
  } else if (model.watch()) {
    s.state = "watching: " + model.watch()->text();
  } else {
    s.state = "no watch";
  }
  for (const auto& m : model.marks()) s.marks.push_back(since_start(model, m.time_ns) + "  " + m.message);
  return s;
}

void draw_watch_panel(const InspectModel& model, InspectUi& ui, InspectActions& out) {
  const WatchStatus s = make_watch_status(model);
  ImGui::SetNextItemWidth(-ImGui::CalcTextSize("Watch  Clear ").x - 24);
  const bool entered = ImGui::InputTextWithHint("##watch", "seq jumps by more than 1 | state becomes ERROR | x > 5",
                                                ui.watch_text, sizeof ui.watch_text,
                                                ImGuiInputTextFlags_EnterReturnsTrue);
  record_widget("inspect_watch_input");
  ImGui::SameLine();
  const bool clicked = ImGui::Button("Watch");
  record_widget("inspect_watch_set");
  if (entered || clicked) out.set_watch = std::string(ui.watch_text);
  ImGui::SameLine();
  if (ImGui::Button("Clear")) {
    out.clear_watch = true;
    ui.watch_text[0] = '\0';
  }
  record_widget("inspect_watch_clear");
  if (!ui.watch_error.empty()) ImGui::TextColored(colour_vec4(UiColour::Corrupt), "%s", ui.watch_error.c_str());

  ImGui::TextColored(colour_vec4(s.paused ? UiColour::Waiting : UiColour::Text), "%s", s.state.c_str());
  if (s.paused) {
    if (ImGui::Button("Resume")) out.resume = true;
    record_widget("inspect_resume");
  } else {
    if (ImGui::Button("Pause")) out.pause = true;
    record_widget("inspect_pause");
  }
  if (!s.marks.empty()) {
    ImGui::SameLine();
    ImGui::TextDisabled("%zu marks", s.marks.size());
    ImGui::BeginChild("marks", ImVec2(0, 0), true);
    for (auto it = s.marks.rbegin(); it != s.marks.rend(); ++it) ImGui::TextUnformatted(it->c_str());
    ImGui::EndChild();
  }
}

}  // namespace shmscope::inspect
