#include "app/playback_app.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <imgui.h>

#include "app/config_dir.hpp"
#include "app/demo_processes.hpp"
#include "app/layout_dump.hpp"
#include "app/screenshot.hpp"
#include "app/window.hpp"
#include "panels/help_menu.hpp"
#include "panels/panels.hpp"
#include "replay/playback.hpp"
#include "replay/timeline_view.hpp"
#include "shmipc/clock.hpp"
#include "shmrecord/reader.hpp"
#include "ui/widget_registry.hpp"

namespace shmscope {
namespace {

constexpr double kFramePeriodS = 1.0 / 60.0;
// Paused on a file, nothing moves: wait for input. A stream is looked at ten times a second
// (pump() never blocks), which is also how live its view is.
constexpr double kIdleFileS = 1.0;
constexpr double kIdleStreamS = 0.1;

// What the shown instant holds, for tests ("key value" lines), written when it changes.
class PlaybackDump {
 public:
  explicit PlaybackDump(std::string path) : path_(std::move(path)) {}
  void write_if_changed(const Playback& p) {
    if (path_.empty()) return;
    std::ostringstream out;
    const shmrecord::Reader& r = p.reader();
    out << "state " << shmrecord::file_state_name(r.status().state) << '\n';
    out << "chunks " << r.status().chunks << '\n';
    out << "records " << r.journal_records() << '\n';
    out << "lost " << r.lost_records() << '\n';
    out << "gaps " << r.gaps().size() << '\n';
    out << "t_ns " << p.t_ns() << '\n';
    out << "end_ns " << r.end_ns() << '\n';
    char secs[32];
    std::snprintf(secs, sizeof(secs), "%.6f", p.seconds());
    out << "seconds " << secs << '\n';
    out << "following " << (p.following() ? 1 : 0) << '\n';
    out << "playing " << (p.playing() ? 1 : 0) << '\n';
    out << "speed " << p.speed() << '\n';
    if (const shmipc::Snapshot* s = p.history().latest()) {
      out << "message_sequence " << s->message.message_sequence << '\n';
      out << "data_size " << s->message.data_size << '\n';
      out << "journal_next " << s->journal_next << '\n';
      out << "corrupt " << (s->corrupt() ? 1 : 0) << '\n';
      // FNV-1a of the whole block shown, so a test can compare it with Reader::block_at.
      std::uint64_t h = 1469598103934665603ull;
      for (std::byte b : s->raw) h = (h ^ static_cast<std::uint8_t>(b)) * 1099511628211ull;
      out << "block_fnv1a " << h << '\n';
    } else {
      out << "no_block " << p.problem() << '\n';
    }
    out << "journal_shown " << p.history().journal().size() << '\n';
    out << "problem " << r.status().problem << '\n';
    if (out.str() == last_) return;
    last_ = out.str();
    const std::string tmp = path_ + ".tmp";
    std::ofstream(tmp, std::ios::trunc) << last_;
    std::rename(tmp.c_str(), path_.c_str());
  }

 private:
  std::string path_;
  std::string last_;
};

void draw_menu_bar(const Playback& p, bool& quit) {
  if (!ImGui::BeginMainMenuBar()) return;
  const bool file_open = ImGui::BeginMenu("File");
  record_widget("menu_file");
  if (file_open) {
    if (ImGui::MenuItem("Quit", "Ctrl+Q")) quit = true;
    ImGui::EndMenu();
  }
  draw_help_menu();
  ImGui::Separator();
  ImGui::Text("recording %s", p.label().c_str());
  ImGui::Separator();
  ImGui::Text("session %s", p.reader().info().session.c_str());
  ImGui::Separator();
  ImGui::TextDisabled("%s", p.stream() ? (p.following() ? "live stream, following the newest"
                                                        : "live stream, looking back")
                                       : "playback (read-only)");
  record_widget("menu_playback");
  ImGui::EndMainMenuBar();
}

}  // namespace

int run_playback(const AppOptions& options) {
  install_signal_handlers();
  if (options.open == "-") {
    // `shmipc record --wait --out -` writes its header only once the session appears, maybe
    // minutes later: wait for the first byte here (Ctrl-C stops), then give the header 10 s.
    pollfd in{STDIN_FILENO, POLLIN, 0};
    bool said = false;
    while (!stop_requested()) {
      const int r = ::poll(&in, 1, 200);
      if (r > 0 || (r < 0 && errno != EINTR)) break;
      if (!said) {
        std::fprintf(stderr, "shmscope: waiting for a recording on standard input...\n");
        said = true;
      }
    }
    if (stop_requested()) return kExitOk;
  }
  std::unique_ptr<Playback> playback;
  try {
    playback = Playback::open(options.open);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "shmscope --open %s: %s\n", options.open.c_str(), e.what());
    return kExitRecording;
  }
  if (options.at_seconds) playback->seek_seconds(*options.at_seconds);

  const std::string dir = config_dir();
  if (options.reset_layout) forget_layout(dir);
  const WindowGeometry geometry = load_window_geometry(dir);
  std::string error;
  auto window = AppWindow::open("shmscope \u2014 recording " + playback->label(), geometry.width,
                                geometry.height, dir.empty() ? "" : dir + "/imgui.ini",
                                options.scale, error);
  if (!window) {
    std::fprintf(stderr,
                 "shmscope: cannot open a window: %s\n"
                 "shmscope needs an X display with OpenGL 3.3 (try xvfb-run -a). Without one,\n"
                 "print the block at an instant with:   shmipc status --at SECONDS FILE\n",
                 error.c_str());
    return kExitNoDisplay;
  }

  int exit_code = kExitOk;
  UiState ui;
  ui.ui_scale = options.scale;
  ActingState acting;
  acting.attached = true;
  acting.session_name = playback->reader().info().session;
  acting.playback_note = make_timeline_view(*playback).note;
  LayoutDump layout_dump(options.layout_dump_path);
  PlaybackDump playback_dump(options.playback_dump_path);
  int frame = 0;
  std::uint64_t frame_start_ns = 0;
  int extra_frames = 0;
  while (!window->should_close() && !stop_requested()) {
    std::uint64_t now = shmipc::monotonic_ns();
    const bool moving = playback->playing() || options.frames > 0;
    const double since_frame = static_cast<double>(now - frame_start_ns) * 1e-9;
    const bool growing = playback->reader().status().state == shmrecord::FileState::Growing;
    const double idle = growing ? kIdleStreamS : kIdleFileS;
    const double wait = moving ? kFramePeriodS - since_frame : idle;
    window->pump_events(wait > 0.001 ? wait : 0);
    now = shmipc::monotonic_ns();
    frame_start_ns = now;
    bool changed = playback->update(now);
    if (window->take_input_seen()) changed = true;
    // Input is answered in the frame it arrives and the one after (ImGui sees a click's
    // release a frame later); otherwise only a change draws.
    if (changed) extra_frames = 2;
    if (frame > 2 && !moving && extra_frames == 0) continue;
    if (extra_frames > 0) --extra_frames;

    window->begin_frame();
    ui.begin_frame();
    PanelOutput out;
    bool quit = false;
    draw_menu_bar(*playback, quit);
    if (ImGui::GetIO().KeyCtrl && ImGui::IsKeyPressed('Q', false)) quit = true;
    draw_timeline_bar(*playback);
    const PanelInput in = playback_panel_input(*playback, acting);
    if (frame > 0) draw_all_panels(in, ui, out);
    window->end_frame();
    ++frame;
    if (frame == 1 && options.frames > 0) window->keep_layout_unsaved();
    layout_dump.write_if_changed();
    playback_dump.write_if_changed(*playback);
    if (options.frames > 0 && frame >= options.frames) {
      if (!options.screenshot_path.empty() &&
          !write_window_screenshot(*window, options.screenshot_path))
        exit_code = kExitScreenshotFailed;
      break;
    }
    window->present();
    if (quit) break;
    for (const auto& action : out.actions) {
      if (action.kind == ActionRequest::Kind::SetPaused) ui.paused = action.flag;
      // Everything else acts on a live session: there is none in playback.
    }
  }
  if (options.frames < 0) {
    WindowGeometry g;
    window->window_size(g.width, g.height);
    save_window_geometry(dir, g);
  }
  return exit_code;
}

}  // namespace shmscope
