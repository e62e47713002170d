#include "panels/help_menu.hpp"

#include <imgui.h>

#include "ui/palette.hpp"
#include "ui/widget_registry.hpp"

namespace shmscope {

std::vector<HelpKey> help_keys() {
  return {{"Ctrl+Q", "quit (File > Quit)"},
          {"F5", "presentation mode on and off"},
          {"Space / Right", "classroom: next step (grants the parked action)"},
          {"Left / Backspace", "classroom: look back one step"},
          {"R", "classroom: run to the end"},
          {"P", "classroom: pause"},
          {"E", "classroom: run to the next event"},
          {"1-4", "classroom: answer the quiz"},
          {"Shift+click, drag", "Block: select bytes in the hex view"}};
}

std::vector<std::string> help_docs() {
  return {"README.md: the two commands, what shmscope is, every command",
          "docs/PROTOCOL.md: every byte of the block and every sequence",
          "docs/TEACHING.md: a lesson plan over the nine scenarios",
          "docs/SCENARIOS.md: writing your own scenario",
          "docs/INSPECT.md: any program's shared memory (shmscope --segment)",
          "docs/RELIABILITY.md: the faults tried and what happens",
          "shmscope --help, shmipc --help: every option"};
}

void draw_help_menu() {
  const bool open = ImGui::BeginMenu("Help");
  record_widget("menu_help");
  if (!open) return;
  ImGui::TextDisabled("Keys");
  if (ImGui::BeginTable("keys", 2, ImGuiTableFlags_SizingFixedFit)) {
    for (const auto& k : help_keys()) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::TextUnformatted(k.keys.c_str());
      ImGui::TableSetColumnIndex(1);
      ImGui::TextUnformatted(k.action.c_str());
    }
    ImGui::EndTable();
  }
  ImGui::Separator();
  ImGui::TextDisabled("Colours (each state also has its word)");
  for (int i = 0; i < static_cast<int>(UiColour::Count); ++i) {
    const auto c = static_cast<UiColour>(i);
    if (colour_info(c).name.empty()) continue;  // plain text colours: no state to explain
    ImGui::ColorButton(("##c" + std::to_string(i)).c_str(), colour_vec4(c),
                       ImGuiColorEditFlags_NoTooltip, ImVec2(14, 14));
    ImGui::SameLine();
    ImGui::TextUnformatted(std::string(colour_info(c).name).c_str());
  }
  ImGui::Separator();
  ImGui::TextDisabled("Documentation (in the source tree)");
  for (const auto& d : help_docs()) ImGui::BulletText("%s", d.c_str());
  record_widget("help_contents");
  ImGui::EndMenu();
}

}  // namespace shmscope
