// The app's side of the classroom: carries out the classroom ActionRequests (step mode on
// the attached session, scenarios run from the monitor, pacing, exports), keeps the steps of
// the current run on the UI thread, and fills the ClassroomModel the panels read.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app/step_drivers.hpp"
#include "model/classroom_model.hpp"
#include "ui/action_request.hpp"
#include "ui/classroom_ui.hpp"

namespace shmscope {

class ClassroomLink {
 public:
  ClassroomLink();
  ~ClassroomLink();

  static bool handles(const ActionRequest& request);
  // `session`: the attached session (step mode); `live`: its history (trace export).
  void execute(const ActionRequest& request, const std::string& session,
               const SessionHistory& live);
  // Takes the drivers' news into `model_`. True if anything changed.
  bool update(const std::string& session);
  const ClassroomModel& model() const { return model_; }

  // The history the other panels show: the step the cursor is on (scenario, or live step
  // mode looking back), else nullptr for the live one. Rebuilt only when the step changes.
  const SessionHistory* shown_history(const ClassroomUi& cui);

  // A PNG of the diagram was asked for: the path, once (the app renders and crops it).
  std::string take_diagram_request();
  void report(std::string result, bool ok);

  // One "key value" line per fact, for GUI tests and scripts (--classroom-dump).
  std::string dump(const ClassroomUi& cui) const;

 private:
  void start_scenario(const std::string& name);
  void reset_steps();
  std::unique_ptr<LiveStepDriver> live_;
  std::unique_ptr<ScenarioPlayer> player_;
  std::shared_ptr<std::vector<shmipc::ScenarioStep>> steps_;
  ClassroomModel model_;
  std::string live_session_;
  std::string diagram_request_;
  std::unique_ptr<SessionHistory> shown_;
  std::int64_t shown_step_ = -1;
  std::uint64_t shown_generation_ = 0;
  std::size_t shown_count_ = 0;
};

// Presentation mode: a larger UI scale for a projector and high-contrast colours. Rebuilds
// the font atlas at the new size (crisp text, not a stretched bitmap); call between frames.
// Presentation's font factor for a window of w x h pixels: 1.3 at 1280x720, growing with the
// window up to 1.8 (1920x1080 and larger), never below 1.2.
float presentation_factor(int w, int h);
void apply_presentation(bool on, float base_scale, float factor);

// Writes the part of the back buffer under the ImGui window `window_name` as a PNG.
std::string write_window_png(const std::string& path, const char* window_name);

}  // namespace shmscope
