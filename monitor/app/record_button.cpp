#include "app/record_button.hpp"

#include <filesystem>

#include <imgui.h>

#include "ui/palette.hpp"
#include "ui/widget_registry.hpp"

namespace shmscope {

void RecordButton::draw(const std::string& session) {
  if (recording && !recording->running()) finish();  // the session went away
  if (!recording) {
    if (ImGui::SmallButton("Record")) start(session);
    record_widget("record_button");
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("Record session %s to a file (open it with shmscope --open FILE)",
                        session.c_str());
    }
    if (!message.empty()) {
      ImGui::TextColored(colour_vec4(failed ? UiColour::Corrupt : UiColour::Muted), "%s",
                         message.c_str());
      record_widget("record_message");
    }
    return;
  }
  if (ImGui::SmallButton("Stop recording")) {
    finish();
    record_widget("record_button");
    return;
  }
  record_widget("record_button");
  const std::string name = std::filesystem::path(recording->path()).filename().string();
  ImGui::TextColored(colour_vec4(UiColour::Dead), "REC %s  %s  %llu records%s", name.c_str(),
                     size_text(recording->bytes()).c_str(),
                     static_cast<unsigned long long>(recording->records()),
                     recording->lost() > 0
                         ? ("  " + std::to_string(recording->lost()) + " lost").c_str()
                         : "");
  record_widget("record_status");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", recording->path().c_str());
}

void RecordButton::start(const std::string& session) {
  const std::string path = chosen_path.empty() ? default_recording_path(session) : chosen_path;
  try {
    recording = std::make_unique<LiveRecording>(session, path);
    message.clear();
    failed = false;
  } catch (const std::exception& e) {
    message = "cannot record: " + std::string(e.what());
    failed = true;
  }
}

void RecordButton::finish() {
  recording->stop();
  const std::string& error = recording->error();
  message = error.empty() ? "saved " + recording->path() + " (" +
                                size_text(recording->bytes()) + ")"
                          : "recording stopped: " + error;
  failed = !error.empty();
  recording.reset();
}

}  // namespace shmscope
