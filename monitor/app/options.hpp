// The command line of `shmscope` and its exit codes (also printed by --help and listed in the
// README, so scripts and CI can tell "no display" from a bad argument).
#pragma once

#include <optional>
#include <string>

namespace shmscope {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,           // an unexpected error (the message says which)
  kExitUsage = 2,             // bad command line
  kExitNoDisplay = 3,         // no X display / OpenGL 3.3 context could not be created
  kExitScreenshotFailed = 4,  // --screenshot: the PNG could not be written
  kExitDemoFailed = 5,        // --demo: the shmipc binary could not be started
  kExitInspect = 6,           // --segment/--file: the segment, binary or layout cannot be read
  kExitRecording = 7,         // --open: the recording cannot be read (the message names the offset)
};

struct AppOptions {
  std::string session = "KBuildDevelop";
  bool session_given = false;
  bool demo = false;
  std::string screenshot_path;  // empty: none
  int frames = -1;              // -1: run until closed
  float scale = 1.0f;
  std::string layout_dump_path;  // empty: none
  bool help = false;
  bool version = false;
  bool reset_layout = false;
  // Classroom (issue 4)
  std::string scenario;             // open this scenario in the classroom layout
  int run_steps = 0;                // grant this many scenario steps by itself
  int show_step = 0;                // then show step K (time travel), 0: the newest
  bool classroom = false;           // start in the classroom layout
  bool presentation = false;        // start in presentation mode
  bool quiz = false;                // start with the quiz on
  std::string classroom_dump_path;  // keep FILE updated with the classroom state
  std::string diagram_png_path;     // with --frames: also save the sequence diagram
  // Any program's segment (monitor/inspect/)
  std::string segment;            // --segment NAME (/dev/shm/NAME)
  std::string file;               // --file PATH
  std::string type;               // --type T (with --from BINARY)
  std::string from;
  std::string layout_file;        // --layout FILE
  std::string watch;              // --watch CONDITION
  std::string select;             // --select FIELD: shown in the inspector from the start
  std::string seqlock;            // --seqlock FIELD: a sequence counter for consistent copies
  std::string inspect_dump_path;  // --inspect-dump FILE
  bool list_segments = false;     // --segments
  int frame_timing = 0;           // --frame-timing N: time N headless frames and exit
  // Recordings (issue 11)
  std::string open;                 // --open FILE|-: show a recording
  std::optional<double> at_seconds; // --at SECONDS
  std::string playback_dump_path;   // --playback-dump FILE
  std::string record_to;            // --record-to FILE: the Record button's file
  bool inspecting() const { return !segment.empty() || !file.empty(); }
};

struct ParseResult {
  AppOptions options;
  std::string error;  // non-empty: a usage error naming the bad argument
};

ParseResult parse_options(int argc, char** argv);
std::string usage_text();

}  // namespace shmscope
