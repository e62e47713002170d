// shmscope: the live monitor. Parses the command line, opens the window, and runs the frame
// loop: snapshot the session, draw the panels, carry out what they asked for.
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "app/block_watcher.hpp"
#include "app/classroom_link.hpp"
#include "app/config_dir.hpp"
#include "app/demo_processes.hpp"
#include "app/frame_timing.hpp"
#include "app/layout_dump.hpp"
#include "app/options.hpp"
#include "app/playback_app.hpp"
#include "app/screenshot.hpp"
#include "app/session_link.hpp"
#include "app/session_picker.hpp"
#include "app/window.hpp"
#include "app/record_button.hpp"
#include "replay/live_recording.hpp"
#include "inspect/app/inspect_app.hpp"
#include "panels/classroom_panels.hpp"
#include "panels/help_menu.hpp"
#include "panels/lesson_view.hpp"
#include "panels/panels.hpp"
#include "shmipc/clock.hpp"
#include "shmipc/journal.hpp"
#include "ui/widget_registry.hpp"

namespace shmscope {
namespace {

constexpr std::uint64_t kIdleAfterNs = 1'500'000'000;  // longer than the byte glow fades
// Idle, the loop sleeps until the BlockWatcher sees the journal move, input arrives or this
// timeout passes; then it reads the block (a pread, microseconds) and draws only if something
// changed. The check catches what the journal does not record (a block rebuilt or removed).
constexpr double kIdleCheckS = 1.0;
// Idle but with a scenario running: its runner thread has news the watcher cannot see.
constexpr double kIdleWaitS = 0.2;
// Ages on screen ("heartbeat 3 s ago", "no lock in the last 40 s") still move on a quiet
// session: one frame every ten seconds keeps them roughly right for next to no CPU (a frame
// at 1920x1080 costs tens of milliseconds with software rendering).
constexpr std::uint64_t kIdleRedrawNs = 10'000'000'000;
constexpr double kFramePeriodS = 1.0 / 60.0;
// After a change (or input) the display runs at full rate briefly, then only the glow of the
// changed bytes is still moving: a fade needs far fewer frames. A demo sending one message a
// second used to render 60 frames a second for ever (a whole CPU on software rendering).
constexpr std::uint64_t kFullRateNs = 300'000'000;
constexpr double kFadePeriodS = 1.0 / 15.0;

std::string window_title(const std::string& session) {
  return "shmscope \u2014 " + session;
}

void draw_menu_bar(SessionPicker& picker, const SessionLink& link, const ActingState& acting,
                   bool demo, const ClassroomModel& lesson, ClassroomUi& cui, UiState& ui,
                   PanelOutput& out, bool& quit, RecordButton& record) {
  if (!ImGui::BeginMainMenuBar()) return;
  const bool file_open = ImGui::BeginMenu("File");
  record_widget("menu_file");
  if (file_open) {
    if (ImGui::MenuItem("Reset layout")) ui.live_layout.reset();
    record_widget("menu_reset_layout");
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("Place every panel again from the window's size, forgetting where you moved them");
    }
    ImGui::Separator();
    // Where the Record button saves: empty, a new file in the user's data dir each time.
    ImGui::TextDisabled(
        "Record to (empty: a new file in %s)",
        std::filesystem::path(default_recording_path(link.session())).parent_path().c_str());
    ImGui::SetNextItemWidth(420);
    ImGui::InputTextWithHint("##record_to", "SESSION-DATE-TIME.shmrec in the data dir",
                             &record.chosen_path);
    record_widget("menu_record_to");
    ImGui::Separator();
    if (ImGui::MenuItem("Quit", "Ctrl+Q")) quit = true;
    ImGui::EndMenu();
  }
  picker.draw(link.session(), out.actions);
  ImGui::Separator();
  ImGui::MenuItem("Classroom", nullptr, &cui.layout);
  record_widget("menu_classroom");
  if (ImGui::MenuItem("Presentation (F5)", nullptr, &cui.presentation) && cui.presentation)
    cui.layout = true;
  draw_help_menu();
  ImGui::Separator();
  if (lesson.scenario_active) {
    // The panels show the scenario's own private session, not the attached one: saying
    // "waiting for session X" here would send a teacher looking for the wrong problem.
    ImGui::Text("scenario %s", lesson.scenario_name.c_str());
    ImGui::Separator();
    ImGui::TextUnformatted(lesson.scenario_running ? "real processes, step by step"
                                                   : "run finished");
  } else {
    ImGui::Text("session %s", link.session().c_str());
    ImGui::Separator();
    if (acting.attached) {
      record.draw(link.session());
      ImGui::Separator();
      ImGui::TextUnformatted(
          acting.role == shmipc::Role::Observer
              ? "observing (read-only)"
              : ("joined as " + std::string(shmipc::role_name(acting.role))).c_str());
    } else {
      if (record.recording) record.draw(link.session());
      ImGui::TextDisabled("%s", link.status().c_str());
    }
  }
  if (demo) {
    ImGui::Separator();
    ImGui::TextUnformatted("demo: real shmipc parent + child");
  }
  char fps[32];
  std::snprintf(fps, sizeof(fps), "%.0f fps", static_cast<double>(ImGui::GetIO().Framerate));
  ImGui::SameLine(ImGui::GetWindowWidth() - ImGui::CalcTextSize(fps).x - 16.0f);
  ImGui::TextDisabled("%s", fps);
  ImGui::EndMainMenuBar();
}

int run(const AppOptions& options) {
  install_signal_handlers();
  const std::string session =
      options.demo ? DemoProcesses::private_session_name() : options.session;
  const std::string dir = config_dir();
  if (options.reset_layout) forget_layout(dir);
  const WindowGeometry geometry = load_window_geometry(dir);

  std::string error;
  auto window = AppWindow::open(window_title(session), geometry.width, geometry.height,
                                dir.empty() ? "" : dir + "/imgui.ini", options.scale, error);
  if (!window) {
    std::fprintf(stderr,
                 "shmscope: cannot open a window: %s\n"
                 "shmscope needs an X display with OpenGL 3.3. Without one, run it on a virtual\n"
                 "display:   xvfb-run -a shmscope --session %s --screenshot out.png\n"
                 "or watch the session in this terminal:   shmipc watch --session %s\n",
                 error.c_str(), session.c_str(), session.c_str());
    return kExitNoDisplay;
  }

  std::unique_ptr<DemoProcesses> demo;
  if (options.demo) {
    DemoProcesses::remove_stale_demo_sessions();
    demo = std::make_unique<DemoProcesses>(DemoProcesses::shmipc_next_to_self(), session);
    if (std::string problem = demo->start(); !problem.empty()) {
      std::fprintf(stderr, "shmscope --demo: %s\n", problem.c_str());
      return kExitDemoFailed;
    }
  }

  int exit_code = kExitOk;
  {
    // Kept well below the model's default: lock_spans() is quadratic in the records kept, and
    // at full protocol speed 50,000 records cost more than a frame (see the app report).
    SessionHistory history(1200, 8192);
    const SessionHistory no_steps_yet(16, 16);  // a scenario before its first step
    ActingState scenario_acting;                 // how the panels see a scenario's own session
    float applied_factor = 0.0f;  // presentation font factor in use, 0 when it is off
    UiState ui;
    ui.attach_input = session;
    ui.ui_scale = options.scale;
    SessionLink link(session);
    SessionPicker picker;
    LayoutDump layout_dump(options.layout_dump_path);
    ClassroomLink classroom;
    ClassroomUi cui;
    cui.layout = options.classroom || options.presentation || !options.scenario.empty();
    cui.presentation = options.presentation;
    cui.quiz.enabled = options.quiz;
    if (!options.scenario.empty()) {
      ActionRequest start;
      start.kind = ActionRequest::Kind::ScenarioStart;
      start.text = options.scenario;
      classroom.execute(start, session, history);
    }
    int auto_steps = options.run_steps;
    std::size_t auto_granted_at = static_cast<std::size_t>(-1);
    std::string classroom_dumped;
    bool shown_step_set = false;
    std::string titled = session;
    std::uint64_t last_change_ns = shmipc::monotonic_ns();
    std::uint64_t frame_start_ns = 0;
    std::uint64_t last_drawn_ns = 0;
    int frame = 0;
    BlockWatcher watcher(&AppWindow::wake);
    RecordButton record;
    record.chosen_path = options.record_to;

    while (!window->should_close() && !stop_requested()) {
      std::uint64_t now = shmipc::monotonic_ns();
      const std::uint64_t since_change = now - last_change_ns;
      const bool idle = options.frames < 0 && since_change > kIdleAfterNs;
      const bool fading = options.frames < 0 && !idle && since_change > kFullRateNs;
      // Idle: sleep until input or a short timeout, then look at the block again. Busy: keep
      // to the display rate even where swap interval is not honoured (Xvfb).
      const double since_frame = static_cast<double>(now - frame_start_ns) * 1e-9;
      // Input wakes the wait at once (pump_events waits for events), so a slow rate never
      // makes the window slow to answer the user.
      const bool scenario = classroom.model().scenario_active;
      const double idle_wait = scenario ? kIdleWaitS : kIdleCheckS;
      const double wait = idle ? idle_wait : (fading ? kFadePeriodS : kFramePeriodS) - since_frame;
      window->pump_events(wait > 0.001 ? wait : 0);
      now = shmipc::monotonic_ns();
      frame_start_ns = now;

      if (demo) demo->tick();
      bool changed = link.update(history);
      if (window->take_input_seen()) changed = true;
      if (classroom.update(link.session())) changed = true;
      const ClassroomModel& lesson = classroom.model();
      if (auto_steps > 0 && lesson.scenario_waiting && lesson.step_count() != auto_granted_at) {
        auto_granted_at = lesson.step_count();
        ActionRequest grant;
        grant.kind = ActionRequest::Kind::StepOne;
        classroom.execute(grant, session, history);
        --auto_steps;
      }
      if (options.show_step > 0 && auto_steps == 0 && !shown_step_set &&
          lesson.step_count() >= static_cast<std::size_t>(options.show_step)) {
        cui.cursor = options.show_step - 1;
        shown_step_set = true;
      }
      if (!options.classroom_dump_path.empty()) {
        if (std::string d = classroom.dump(cui); d != classroom_dumped) {
          classroom_dumped = d;
          const std::string tmp = options.classroom_dump_path + ".tmp";
          std::ofstream(tmp, std::ios::trunc) << d;
          std::rename(tmp.c_str(), options.classroom_dump_path.c_str());
        }
      }
      // Presentation's font follows the window (a projector's 1280x720 or 1920x1080): set again
      // when the window's size changes by more than a few percent.
      {
        int fb_w = 0, fb_h = 0;
        window->framebuffer_size(fb_w, fb_h);
        const float factor = presentation_factor(fb_w, fb_h);
        const float wanted = cui.presentation ? factor : 0.0f;
        // Factors are at least 1.2, so switching on or off is a difference too.
        if (std::abs(wanted - applied_factor) > 0.05f) {
          apply_presentation(cui.presentation, options.scale, factor);
          applied_factor = wanted;
        }
      }
      if (changed) last_change_ns = now;
      watcher.watch(link.session());
      // While recording, the file's size on screen moves once a second.
      const std::uint64_t redraw_ns = record.recording ? 1'000'000'000 : kIdleRedrawNs;
      if (idle && !changed && !scenario && now - last_drawn_ns < redraw_ns) continue;
      last_drawn_ns = now;
      // A scenario runs on a private session: the title names the scenario, not the session
      // the window would otherwise attach to.
      const std::string title_subject = classroom.model().scenario_active
                                            ? "scenario " + classroom.model().scenario_name
                                            : link.session();
      if (title_subject != titled) {
        titled = title_subject;
        window->set_title(window_title(titled));
      }

      const ActingState acting = link.acting();
      window->begin_frame();
      ui.begin_frame();
      PanelOutput out;
      bool quit = false;
      draw_menu_bar(picker, link, acting, demo != nullptr, classroom.model(), cui, ui, out, quit,
                    record);
      if (ImGui::GetIO().KeyCtrl && ImGui::IsKeyPressed('Q', false)) quit = true;
      // Time travel and scenarios: the panels show the kept snapshot of a step, at its time.
      // A scenario runs on a private session of its own: the panels show it as attached (never
      // "No session attached: attach in the Act panel", which the classroom does not even show),
      // and before its first step, an empty history rather than the attached session's.
      const SessionHistory* shown = classroom.shown_history(cui);
      if (shown == nullptr && lesson.scenario_active) shown = &no_steps_yet;
      if (lesson.scenario_active && scenario_acting.session_name != lesson.scenario_name) {
        scenario_acting.attached = true;
        scenario_acting.session_name = lesson.scenario_name;
      }
      const ActingState& panel_acting = lesson.scenario_active ? scenario_acting : acting;
      const std::uint64_t shown_now =
          shown != nullptr && shown->latest() != nullptr ? shown->latest()->taken_ns : now;
      const PanelInput in{shown != nullptr ? *shown : history, panel_acting, shown_now};
      // Dear ImGui learns the menu bar's height one frame late (the viewport's work area):
      // the first frame draws only the bar, so panels laid out on first use start below it.
      if (frame > 0) {
        update_quiz(lesson, cui.quiz, cui.in_past(lesson.step_count()));
        handle_classroom_keys(lesson, cui, out);
        const ClassroomInput cin{lesson, in};
        if (cui.layout) {
          draw_classroom_panels(cin, cui, ui, out);
          ui.live_layout.relayout = true;  // back from the classroom: place the live panels again
        } else {
          draw_all_panels(in, ui, out);
        }
      }
      window->end_frame();
      ++frame;
      // imgui.ini was read by the first frame; a --frames run leaves it as the user had it.
      if (frame == 1 && options.frames > 0) window->keep_layout_unsaved();
      layout_dump.write_if_changed();

      if (std::string png = classroom.take_diagram_request(); !png.empty()) {
        const std::string problem = write_window_png(png, "Sequence diagram");
        classroom.report(
            problem.empty() ? "saved the diagram to " + png : "diagram PNG: " + problem,
            problem.empty());
      }
      // A scenario still granting its --run-steps holds the screenshot back.
      const bool steps_left = auto_steps > 0 && lesson.scenario_running;
      if (options.frames > 0 && frame >= options.frames && !steps_left) {
        if (!options.diagram_png_path.empty()) {
          if (std::string problem = write_window_png(options.diagram_png_path, "Sequence diagram");
              !problem.empty()) {
            std::fprintf(stderr, "shmscope --diagram-png: %s\n", problem.c_str());
            exit_code = kExitScreenshotFailed;
          }
        }
        if (!options.screenshot_path.empty() &&
            !write_window_screenshot(*window, options.screenshot_path))
          exit_code = kExitScreenshotFailed;
        break;
      }
      window->present();
      if (quit) break;
      for (const auto& action : out.actions) {
        if (ClassroomLink::handles(action)) {
          classroom.execute(action, link.session(), history);
        } else {
          link.execute(action, history, ui);
        }
      }
      if (!out.actions.empty()) last_change_ns = now;
    }
    if (options.frames < 0) {
      WindowGeometry g;
      window->window_size(g.width, g.height);
      save_window_geometry(dir, g);
    }
  }  // the link leaves the session before the demo processes are stopped
  if (demo) demo->stop();
  return exit_code;
}

}  // namespace
}  // namespace shmscope

int main(int argc, char** argv) {
  using namespace shmscope;
  const ParseResult parsed = parse_options(argc, argv);
  if (!parsed.error.empty()) {
    std::fprintf(stderr, "shmscope: %s\n", parsed.error.c_str());
    return kExitUsage;
  }
  if (parsed.options.version) {
    std::printf("shmscope %s\n", SHMSCOPE_VERSION);
    return kExitOk;
  }
  if (parsed.options.help) {
    std::fputs(usage_text().c_str(), stdout);
    return kExitOk;
  }
  try {
    if (parsed.options.list_segments) return inspect::print_segments();
    if (parsed.options.frame_timing > 0) return run_frame_timing(parsed.options.frame_timing);
    if (parsed.options.inspecting()) return inspect::run_inspect(parsed.options);
    if (!parsed.options.open.empty()) return run_playback(parsed.options);
    return run(parsed.options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "shmscope: %s\n", e.what());
    return kExitFailure;
  }
}
