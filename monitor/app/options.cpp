#include "app/options.hpp"

#include <cstdlib>
#include <string_view>

#include "shmipc/session_name.hpp"

namespace shmscope {
namespace {

bool parse_int(std::string_view text, int& out) {
  if (text.empty() || text.size() > 9) return false;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

bool parse_scale(const std::string& text, float& out) {
  char* end = nullptr;
  const float value = std::strtof(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) return false;
  if (!(value >= 0.5f && value <= 4.0f)) return false;
  out = value;
  return true;
}

}  // namespace

std::string usage_text() {
  return R"(shmscope - live monitor for shmipc shared-memory sessions

usage: shmscope [--session NAME | --demo | --scenario NAME | --segment NAME ...] [options]

  --session NAME       attach to session NAME (default KBuildDevelop); waits for it to appear
  --demo               start a real `shmipc parent` and `shmipc child` on a private session
                       (demo-<pid>), the child sending a message every second; they are
                       stopped and the session removed when shmscope exits
  --screenshot FILE    render N frames (default 30), write them as a PNG and exit
  --frames N           render exactly N frames, then exit
  --scale F            UI scale factor, 0.5 to 4 (default 1)
  --layout-dump FILE   keep FILE updated with the screen rectangles of named widgets
                       ("name x0 y0 x1 y1" per widget, "window:NAME x0 y0 x1 y1
                       title_bottom" per panel; used by GUI tests)
  --scenario NAME      open scenario NAME (name, number or file stem) in the classroom
                       layout, paused before its second step (Space steps, R runs)
  --run-steps N        with --scenario: grant N steps by itself (for screenshots)
  --show-step K        then travel back to step K (as the Left key does)
  --classroom          start in the classroom layout (Lesson and Step panels)
  --presentation       start in presentation mode (F5): larger UI, high contrast
  --quiz               start with the quiz on ("what happens next?")
  --classroom-dump FILE  keep FILE updated with the classroom state ("key value" lines:
                       mode, scenario, steps, shown, past, pacing, verdict, ...)
  --diagram-png FILE   with --frames/--screenshot: also save the sequence diagram as a PNG
  --open FILE          show a recording (shmipc record, or the Record button) in the same
                       panels, with a timeline: scrub, Play/Pause (Space), step to the
                       previous/next journal record (Left/Right), speed 0.1x-10x; records
                       lost to the ring are red marks and GAP rows; acting is off
  --open -             read a recording from standard input as it is written, following
                       its newest instant:  ssh HOST shmipc record --session S --out - |
                       shmscope --open -
  --at SECONDS         with --open: start at this instant of the recording
  --playback-dump FILE with --open: keep FILE updated with what is shown ("key value" lines:
                       state, t_ns, seconds, message_sequence, data_size, journal_next, ...)
  --record-to FILE     where the menu bar's Record button saves (also File > Record to;
                       default $XDG_DATA_HOME/shmscope/recordings/SESSION-DATE-TIME.shmrec,
                       ~/.local/share if unset)
  --segments           list the objects in /dev/shm (size, owner, mode, age, which
                       processes map them) and exit
  --segment NAME       look at ANY program's segment /dev/shm/NAME (read-only, copied with
                       pread): a tree of fields linked to the bytes, history, watches
  --file PATH          the same for any file (e.g. a memory-mapped file in /tmp)
  --type T --from BIN  decode it as type T (qualified C++ name) from BIN's DWARF debug info
  --layout FILE        or through a layout file (a subset of Kaitai Struct .ksy, see
                       docs/INSPECT.md); with neither, the bytes alone
  --watch CONDITION    pause when CONDITION holds ("seq jumps by more than 1",
                       "state becomes ERROR", "x > 5")
  --seqlock FIELD      FIELD is a sequence counter (odd while the writer is inside): a copy
                       counts as consistent only if it was even and unchanged around it
  --select FIELD       start with FIELD selected (its bytes lit, its history plotted)
  --inspect-dump FILE  keep FILE updated with the decoded values and the watch state
  --frame-timing N     no window: fill a private session's journal (2048 records) with real
                       peers, draw N frames of every panel at 1920x1080 without rendering,
                       and print the CPU time per frame (median, p99, max)
  --reset-layout       forget the saved window size and panel state (File > Reset layout
                       forgets where panels were moved while running)
  --version            the version, and exit
  --help               this text

Window size, panel layout and settings are kept in $XDG_CONFIG_HOME/shmscope/
(default ~/.config/shmscope/).

exit codes:
  0  success
  1  unexpected error
  2  bad command line
  3  no display: an X display and OpenGL 3.3 are needed (try `xvfb-run -a shmscope ...`,
     or watch a session in a terminal with `shmipc watch`)
  4  the screenshot could not be written
  5  --demo could not start the shmipc binary
  6  --segment/--file: the segment, the binary or the layout cannot be read (the message
     says which and why)
  7  --open: the recording cannot be opened (no header, not a recording, another
     format version; the message names the offset and the problem)
)";
}

ParseResult parse_options(int argc, char** argv) {
  ParseResult result;
  AppOptions& o = result.options;
  auto fail = [&](std::string message) {
    result.error = std::move(message);
    return result;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    std::string v;
    if (arg == "--help" || arg == "-h") {
      o.help = true;
    } else if (arg == "--version") {
      o.version = true;
    } else if (arg == "--reset-layout") {
      o.reset_layout = true;
    } else if (arg == "--demo") {
      o.demo = true;
    } else if (arg == "--session") {
      if (!value(v)) return fail("--session needs a session name");
      if (auto problem = shmipc::session_name_problem(v)) {
        return fail("--session: " + *problem);
      }
      o.session = v;
      o.session_given = true;
    } else if (arg == "--screenshot") {
      if (!value(v) || v.empty()) return fail("--screenshot needs a file name (FILE.png)");
      o.screenshot_path = v;
    } else if (arg == "--frame-timing") {
      if (!value(v)) return fail("--frame-timing needs a number of frames");
      if (!parse_int(v, o.frame_timing) || o.frame_timing < 1) {
        return fail("--frame-timing: '" + v + "' is not a whole number of frames >= 1");
      }
    } else if (arg == "--frames") {
      if (!value(v)) return fail("--frames needs a number of frames");
      if (!parse_int(v, o.frames) || o.frames < 1) {
        return fail("--frames: '" + v + "' is not a whole number of frames >= 1");
      }
    } else if (arg == "--scale") {
      if (!value(v)) return fail("--scale needs a factor");
      if (!parse_scale(v, o.scale))
        return fail("--scale: '" + v + "' is not a number from 0.5 to 4");
    } else if (arg == "--layout-dump") {
      if (!value(v) || v.empty()) return fail("--layout-dump needs a file name");
      o.layout_dump_path = v;
    } else if (arg == "--scenario") {
      if (!value(v) || v.empty()) return fail("--scenario needs a scenario name or number");
      o.scenario = v;
    } else if (arg == "--run-steps") {
      if (!value(v) || !parse_int(v, o.run_steps))
        return fail("--run-steps needs a whole number of steps");
    } else if (arg == "--show-step") {
      if (!value(v) || !parse_int(v, o.show_step) || o.show_step < 1)
        return fail("--show-step needs a step number >= 1");
    } else if (arg == "--classroom") {
      o.classroom = true;
    } else if (arg == "--presentation") {
      o.presentation = true;
    } else if (arg == "--quiz") {
      o.quiz = true;
    } else if (arg == "--classroom-dump") {
      if (!value(v) || v.empty()) return fail("--classroom-dump needs a file name");
      o.classroom_dump_path = v;
    } else if (arg == "--diagram-png") {
      if (!value(v) || v.empty()) return fail("--diagram-png needs a file name (FILE.png)");
      o.diagram_png_path = v;
    } else if (arg == "--open") {
      if (!value(v) || v.empty()) return fail("--open needs a recording file, or - for standard input");
      o.open = v;
    } else if (arg == "--at") {
      char* end = nullptr;
      if (!value(v)) return fail("--at needs a number of seconds");
      const double at = std::strtod(v.c_str(), &end);
      if (v.empty() || end != v.c_str() + v.size() || !(at >= 0 && at < 1e9))
        return fail("--at: '" + v + "' is not a number of seconds >= 0");
      o.at_seconds = at;
    } else if (arg == "--playback-dump") {
      if (!value(v) || v.empty()) return fail("--playback-dump needs a file name");
      o.playback_dump_path = v;
    } else if (arg == "--record-to") {
      if (!value(v) || v.empty()) return fail("--record-to needs a file name");
      o.record_to = v;
    } else if (arg == "--segments") {
      o.list_segments = true;
    } else if (arg == "--segment" || arg == "--file" || arg == "--type" || arg == "--from" ||
               arg == "--layout" || arg == "--watch" || arg == "--select" || arg == "--seqlock" ||
               arg == "--inspect-dump") {
      if (!value(v) || v.empty()) return fail(arg + " needs a value (see shmscope --help)");
      std::string& target = arg == "--segment" ? o.segment
                            : arg == "--file"  ? o.file
                            : arg == "--type"  ? o.type
                            : arg == "--from"  ? o.from
                            : arg == "--layout" ? o.layout_file
                            : arg == "--watch" ? o.watch
                            : arg == "--select" ? o.select
                            : arg == "--seqlock" ? o.seqlock
                                               : o.inspect_dump_path;
      target = v;
    } else {
      return fail("unknown argument '" + arg + "' (see shmscope --help)");
    }
  }
  if (o.demo && o.session_given) return fail("--demo and --session exclude each other");
  if (!o.segment.empty() && !o.file.empty()) return fail("--segment and --file exclude each other");
  if (o.inspecting() && (o.demo || o.session_given || !o.scenario.empty()))
    return fail("--segment/--file look at another program's memory: not with --demo, --session or --scenario");
  if (!o.inspecting() && (!o.type.empty() || !o.from.empty() || !o.layout_file.empty() || !o.watch.empty() ||
                          !o.select.empty() || !o.seqlock.empty()))
    return fail("--type, --from, --layout, --watch, --select and --seqlock need --segment NAME or --file PATH");
  if (o.type.empty() != o.from.empty()) return fail("--type T and --from BINARY go together");
  if (!o.type.empty() && !o.layout_file.empty()) return fail("--type/--from and --layout exclude each other");
  if (!o.open.empty() && (o.demo || o.session_given || !o.scenario.empty() || o.inspecting()))
    return fail("--open shows a recording: not with --session, --demo, --scenario, --segment or --file");
  if (o.open.empty() && (o.at_seconds || !o.playback_dump_path.empty()))
    return fail("--at and --playback-dump need --open FILE");
  if (!o.screenshot_path.empty() && o.frames < 0) o.frames = 30;
  return result;
}

}  // namespace shmscope
