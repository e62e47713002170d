#include "inspect/app/inspect_app.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>

#include "app/demo_processes.hpp"
#include "app/layout_dump.hpp"
#include "app/screenshot.hpp"
#include "app/window.hpp"
#include "inspect/app/inspect_sampler.hpp"
#include "inspect/app/segment_menu.hpp"
#include "inspect/inspect_views.hpp"
#include "shmipc/clock.hpp"
#include "shminspect/decode.hpp"
#include "shminspect/dwarf_layout.hpp"
#include "shminspect/error.hpp"
#include "shminspect/layout_file.hpp"
#include "shminspect/segments.hpp"

extern char** environ;

namespace shmscope::inspect {
namespace {

constexpr double kFramePeriodS = 1.0 / 60.0;
constexpr double kGlowFrameS = 1.0 / 30.0;
constexpr double kIdleWaitS = 0.25;

// No layout given: the segment as bytes (the hex view shows it all; the tree is empty).
shminspect::Layout bytes_layout() {
  shminspect::Layout layout;
  layout.type_name = "bytes";
  layout.source = "no layout (give --type T --from BINARY, or --layout FILE)";
  layout.root.kind = shminspect::FieldKind::Struct;
  layout.root.name = "bytes";
  return layout;
}

shminspect::Layout load_layout(const AppOptions& o) {
  if (!o.layout_file.empty()) return shminspect::load_layout_file(o.layout_file);
  if (!o.type.empty()) return shminspect::load_layout_from_dwarf(o.from, o.type);
  return bytes_layout();
}

void write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  std::ofstream(tmp, std::ios::trunc) << text;
  std::rename(tmp.c_str(), path.c_str());
}

void draw_menu(const InspectModel& model, SegmentMenu& segments, bool& quit) {
  if (!ImGui::BeginMainMenuBar()) return;
  if (ImGui::BeginMenu("File")) {
    if (ImGui::MenuItem("Quit", "Ctrl+Q")) quit = true;
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Segments")) {
    segments.draw_items();
    ImGui::EndMenu();
  } else {
    segments.closed();
  }
  ImGui::Separator();
  ImGui::Text("%s  as  %s", model.segment_label().c_str(), model.layout().type_name.c_str());
  if (model.paused()) {
    ImGui::Separator();
    ImGui::TextColored(ImVec4(0.9f, 0.6f, 0.0f, 1.0f), "PAUSED");
  }
  ImGui::EndMainMenuBar();
}

}  // namespace

void open_segment_window(const std::string& name) {
  char self[4096];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return;
  self[n] = '\0';
  std::string arg_name = name;
  char* argv[] = {self, const_cast<char*>("--segment"), arg_name.data(), nullptr};
  pid_t pid = 0;
  if (::posix_spawn(&pid, self, nullptr, nullptr, argv, environ) == 0) {
    // Reaped by nobody: the new window lives on its own; SIGCHLD is left at default, so a
    // zombie stays only until this monitor exits.
  }
}

int print_segments() {
  std::fputs(shminspect::format_segments_text(shminspect::list_segments()).c_str(), stdout);
  return kExitOk;
}

int run_inspect(const AppOptions& options) {
  install_signal_handlers();
  std::unique_ptr<InspectModel> model;
  std::unique_ptr<shminspect::SegmentReader> reader;
  std::string label;
  try {
    shminspect::Layout layout = load_layout(options);
    shminspect::ReaderOptions reading;
    if (!options.seqlock.empty()) {
      const auto range = shminspect::field_range(layout, options.seqlock);
      if (!range || (range->size != 4 && range->size != 8)) {
        std::fprintf(stderr, "shmscope --seqlock %s: not a 4- or 8-byte field of %s\n",
                     options.seqlock.c_str(), layout.type_name.c_str());
        return kExitUsage;
      }
      reading.seqlock = *range;
    }
    if (!options.segment.empty()) {
      reader = std::make_unique<shminspect::SegmentReader>(
          shminspect::SegmentReader::open_shm(options.segment, reading));
      label = "/dev/shm/" + (options.segment.front() == '/' ? options.segment.substr(1) : options.segment);
    } else {
      reader = std::make_unique<shminspect::SegmentReader>(
          shminspect::SegmentReader::open_file(options.file, reading));
      label = options.file;
    }
    model = std::make_unique<InspectModel>(std::move(layout), label);
  } catch (const shminspect::InspectError& e) {
    std::fprintf(stderr, "shmscope: %s\n", e.what());
    return kExitInspect;
  }

  InspectUi ui;
  ui.selected_path = options.select;
  model->keep_history_for(options.select);
  if (!options.watch.empty()) {
    if (std::string problem = model->set_watch(options.watch); !problem.empty()) {
      std::fprintf(stderr, "shmscope --watch: %s\n", problem.c_str());
      return kExitUsage;
    }
    std::snprintf(ui.watch_text, sizeof ui.watch_text, "%s", options.watch.c_str());
  }

  std::string error;
  auto window = AppWindow::open("shmscope \u2014 " + label + " as " + model->layout().type_name,
                                1440, 900, "", options.scale, error);
  if (!window) {
    std::fprintf(stderr,
                 "shmscope: cannot open a window: %s\n"
                 "Without a display: xvfb-run -a shmscope ... --screenshot out.png, or read the\n"
                 "segment in this terminal: shmipc inspect %s ...\n",
                 error.c_str(), options.segment.empty() ? "--file PATH" : options.segment.c_str());
    return kExitNoDisplay;
  }

  std::mutex mutex;
  InspectSampler sampler(std::move(*reader), sampled_ranges(model->layout()), *model, mutex,
                         [] { glfwPostEmptyEvent(); });
  LayoutDump layout_dump(options.layout_dump_path);
  std::string dumped;
  int exit_code = kExitOk;
  int frame = 0;
  bool quit = false;
  SegmentMenu segment_menu;
  std::uint64_t frame_start_ns = 0;
  while (!window->should_close() && !stop_requested() && !quit) {
    std::uint64_t now = shmipc::monotonic_ns();
    double wait = kIdleWaitS;
    {
      std::lock_guard lock(mutex);
      if (now - model->last_change_ns() < kGlowNs) wait = kGlowFrameS;  // let the glow fade
    }
    if (options.frames > 0) wait = kFramePeriodS - static_cast<double>(now - frame_start_ns) * 1e-9;
    window->pump_events(wait > 0.001 ? wait : 0);
    frame_start_ns = shmipc::monotonic_ns();

    window->begin_frame();
    ui.begin_frame();
    ui.now_ns = frame_start_ns;
    InspectActions out;
    {
      std::lock_guard lock(mutex);
      draw_menu(*model, segment_menu, quit);
      if (ImGui::GetIO().KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_Q)) quit = true;
      if (frame > 0) draw_inspect_panels(*model, ui, out);
      if (out.set_watch) {
        ui.watch_error = out.set_watch->empty() ? "type a condition first" : model->set_watch(*out.set_watch);
      }
      if (out.clear_watch) {
        model->clear_watch();
        ui.watch_error.clear();
      }
      if (out.resume) model->resume();
      if (out.pause) model->pause_here();
      if (out.keep_history) model->keep_history_for(*out.keep_history);
      if (!options.inspect_dump_path.empty()) {
        if (std::string d = inspect_dump(*model, ui); d != dumped) {
          dumped = d;
          write_atomically(options.inspect_dump_path, d);
        }
      }
    }
    window->end_frame();
    ++frame;
    layout_dump.write_if_changed();
    if (options.frames > 0 && frame >= options.frames) {
      if (!options.screenshot_path.empty()) {
        int w = 0, h = 0;
        window->framebuffer_size(w, h);
        if (std::string problem = write_framebuffer_png(options.screenshot_path, w, h); !problem.empty()) {
          std::fprintf(stderr, "shmscope --screenshot: %s\n", problem.c_str());
          exit_code = kExitScreenshotFailed;
        }
      }
      break;
    }
    window->present();
  }
  return exit_code;
}

}  // namespace shmscope::inspect
