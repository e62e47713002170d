// `shmipc inspect`: the terminal face of the shminspect library. Reads a segment O_RDONLY with
// pread (never maps it), so the program being watched cannot be disturbed and a segment that
// shrinks or vanishes is reported, not a crash.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "arguments.hpp"
#include "inspect_command.hpp"
#include "shminspect/shminspect.hpp"
#include "shmipc/error.hpp"

namespace shmcli {
namespace {

using shmipc::Error;
using shmipc::ErrorCode;
namespace si = shminspect;

constexpr const char* kInspectUsage = R"(usage: shmipc inspect NAME --type TYPE --from BINARY [options]
       shmipc inspect --file PATH (--type TYPE --from BINARY | --layout FILE) [options]
       shmipc inspect --type TYPE --from BINARY --emit-layout
       shmipc inspect --segments [--json]

Decodes any program's shared memory (/dev/shm/NAME, as shm_open names it, or any file) through
the DWARF debug info of the program (or of any ELF with the type: a library, an object file, a
separate debug file), or through a layout file. Read-only: the segment is copied with pread.

options:
  --type TYPE        the struct's qualified C++ name (ns::Block); close matches are listed
  --from BINARY      the ELF whose DWARF describes TYPE (no network: debuginfod is not used)
  --layout FILE      a layout file instead of DWARF (format: docs/INSPECT.md)
  --file PATH        read PATH instead of /dev/shm/NAME
  --json             JSON instead of text (with --watch: one line per sample)
  --watch            live: re-read every --interval MS (default 500) until Ctrl-C or --count N
  --until COND       with --watch: stop when COND fires, e.g. "seq jumps by more than 1",
                     "state becomes ERROR", "x > 5" (exit 0; exit 10 if --count ran out first)
  --seqlock FIELD    a sequence counter (odd while written): copies are consistent around it
  --facts            the layout facts only (holes, padding, cache lines)
  --emit-layout      print TYPE's layout as a layout file (no segment needed)
  --segments         list /dev/shm: size, owner, mode, age, which processes map it
)";

// Options that take a value: the word after them is not NAME.
bool takes_value(const std::string& word) {
  for (const char* o : {"--type", "--from", "--layout", "--file", "--interval", "--count",
                        "--until", "--seqlock"}) {
    if (word == o) return true;
  }
  return false;
}

// The inspect library's messages already say what went wrong and where; the protocol's error
// categories ("no such session", "block corrupt") would mislabel them, so they are printed as
// they are, with the exit code of the nearest category.
int report(const si::InspectError& e) {
  ErrorCode code = ErrorCode::System;
  switch (e.kind()) {
    case si::ErrorKind::NotFound: code = ErrorCode::NotFound; break;
    case si::ErrorKind::Ambiguous:
    case si::ErrorKind::BadLayout:
    case si::ErrorKind::BadCondition: code = ErrorCode::Usage; break;
    case si::ErrorKind::BadElf:
    case si::ErrorKind::Unsupported: code = ErrorCode::Corrupt; break;
    case si::ErrorKind::Permission:
    case si::ErrorKind::System: code = ErrorCode::System; break;
  }
  std::fflush(stdout);
  std::fprintf(stderr, "shmipc inspect: %s\n", e.what());
  return static_cast<int>(code);
}

std::string header_text(const si::Layout& layout, const si::Sample& sample, const std::string& path) {
  std::string out = layout.type_name + " (" + std::to_string(layout.size) + " bytes) from " +
                    layout.source;
  if (!layout.build_id.empty()) out += ", build-id " + layout.build_id;
  out += "\n" + path + ": " + std::to_string(sample.segment_size) + " bytes";
  if (!sample.consistent) out += ", copy inconsistent after " + std::to_string(sample.attempts) + " reads (fields marked [in flux])";
  out += "\n";
  if (sample.present && sample.segment_size != layout.size) {
    out += "warning: the segment is " + std::to_string(sample.segment_size) + " bytes but sizeof(" +
           layout.type_name + ") is " + std::to_string(layout.size) + "\n";
  }
  for (const auto& note : layout.notes) out += "note: " + note + "\n";
  if (!sample.message.empty()) out += sample.message + "\n";
  return out;
}

std::string facts_text(const si::Layout& layout) {
  const auto facts = si::layout_facts(layout);
  const std::uint64_t lines = (layout.size + si::kCacheLine - 1) / si::kCacheLine;
  std::string out = "layout facts: " + std::to_string(layout.size) + " bytes in " +
                    std::to_string(lines) + " cache line" + (lines == 1 ? "" : "s");
  if (facts.empty()) return out + "; nothing straddles a cache line\n";
  out += "\n";
  for (const auto& f : facts) out += "  " + f.text + "\n";
  return out;
}

int list_segments_command(bool json) {
  const auto segments = si::list_segments();
  if (!json) {
    std::fputs(si::format_segments_text(segments).c_str(), stdout);
    return 0;
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : segments) {
    nlohmann::json maps = nlohmann::json::array();
    for (const auto& m : s.mapped_by) maps.push_back({{"pid", m.pid}, {"command", m.command}});
    out.push_back({{"name", s.name}, {"size", s.size}, {"owner", s.owner}, {"uid", s.owner_uid},
                   {"mode", si::format_mode(s.mode)}, {"age_seconds", s.age_seconds},
                   {"readable", s.readable}, {"mapped_by", std::move(maps)}});
  }
  std::cout << out.dump(2) << "\n";
  return 0;
}

int run(std::vector<std::string> words) {
  std::optional<std::string> name;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (takes_value(words[i])) {
      ++i;
    } else if (words[i].rfind("--", 0) != 0) {
      if (name) throw Error(ErrorCode::Usage, "unexpected argument '" + words[i] + "' (one NAME only)");
      name = words[i];
      words.erase(words.begin() + static_cast<std::ptrdiff_t>(i));
      --i;
    }
  }
  Arguments args(std::move(words));
  if (args.flag("help")) {
    std::fputs(kInspectUsage, stdout);
    return 0;
  }
  const bool json = args.flag("json");
  if (args.flag("segments")) {
    args.finish();
    if (name) throw Error(ErrorCode::Usage, "--segments takes no NAME");
    return list_segments_command(json);
  }
  const auto type = args.value("type");
  const auto from = args.value("from");
  const auto layout_file = args.value("layout");
  const auto file = args.value("file");
  const bool emit = args.flag("emit-layout");
  const bool facts_only = args.flag("facts");
  const bool watch = args.flag("watch");
  const auto until = args.value("until");
  const auto seqlock = args.value("seqlock");
  const auto interval_ms = args.count("interval").value_or(500);
  const auto count = args.count("count");
  args.finish();

  if (layout_file && (type || from)) throw Error(ErrorCode::Usage, "give --layout FILE or --type/--from, not both");
  if (!layout_file && (!type || !from)) {
    throw Error(ErrorCode::Usage, "need --type TYPE and --from BINARY (or --layout FILE); see shmipc inspect --help");
  }
  if (until && !watch) throw Error(ErrorCode::Usage, "--until needs --watch");

  // Never reach for the network for debug info, whatever the environment says.
  ::unsetenv("DEBUGINFOD_URLS");
  si::Layout layout = layout_file ? si::load_layout_file(*layout_file) : si::load_layout_from_dwarf(*from, *type);
  if (emit) {
    if (name || file) throw Error(ErrorCode::Usage, "--emit-layout reads no segment: drop NAME/--file");
    std::fputs(si::emit_layout_file(layout).c_str(), stdout);
    return 0;
  }
  if (facts_only) {
    std::fputs(facts_text(layout).c_str(), stdout);
    return 0;
  }
  if (name && file) throw Error(ErrorCode::Usage, "give NAME or --file PATH, not both");
  if (!name && !file) throw Error(ErrorCode::Usage, "which segment? give NAME (/dev/shm/NAME) or --file PATH");

  si::ReaderOptions options;
  if (seqlock) {
    const auto range = si::field_range(layout, *seqlock);
    if (!range || (range->size != 4 && range->size != 8)) {
      throw Error(ErrorCode::Usage, "--seqlock " + *seqlock + ": not a 4- or 8-byte field of " + layout.type_name);
    }
    options.seqlock = *range;
  }
  std::optional<si::WatchCondition> condition;
  if (until) condition = si::WatchCondition::parse(*until);
  // Only the struct's bytes are read (a flexible array: up to the segment's end), however large
  // the segment is.
  si::LiveView view(std::move(layout),
                    name ? si::SegmentReader::open_shm(*name, options) : si::SegmentReader::open_file(*file, options));
  view.set_watch(condition);

  if (!watch) {
    view.tick();
    if (!view.sample().present) throw Error(ErrorCode::NotFound, view.sample().message);
    if (json) {
      std::fputs(si::format_values_json(view.layout(), view.values()).c_str(), stdout);
    } else {
      std::fputs((header_text(view.layout(), view.sample(), view.reader().path()) +
                  si::format_values_text(view.values()) + facts_text(view.layout())).c_str(),
                 stdout);
    }
    return 0;
  }

  const bool tty = ::isatty(STDOUT_FILENO) == 1 && !json;
  for (std::uint64_t n = 0; !count || n < *count; ++n) {
    if (n > 0) std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
    const si::TickResult tick = view.tick();
    const si::Sample& sample = view.sample();
    if (json) {
      auto doc = nlohmann::json::parse(si::format_values_json(view.layout(), view.values()));
      doc["time_ns"] = sample.time_ns;
      doc["present"] = sample.present;
      doc["consistent"] = sample.consistent;
      doc["changed"] = tick.changed;
      if (sample.event != si::SegmentEvent::None) doc["event"] = si::event_name(sample.event);
      if (!sample.message.empty()) doc["message"] = sample.message;
      std::cout << doc.dump() << "\n" << std::flush;
    } else {
      std::string screen = tty ? "\x1b[H\x1b[2J" : (n > 0 ? "\n" : "");
      screen += header_text(view.layout(), sample, view.reader().path());
      if (sample.present) screen += si::format_values_text(view.values());
      for (const auto& f : view.facts()) {
        if (f.kind == si::FactKind::FalseSharing) screen += "false sharing? " + f.text + "\n";
      }
      std::fputs(screen.c_str(), stdout);
      std::fflush(stdout);
    }
    if (tick.watch) {
      std::printf("watch: %s\n", tick.watch->c_str());
      return 0;
    }
  }
  if (condition) throw Error(ErrorCode::Timeout, "watch condition '" + condition->text() + "' did not fire in " + std::to_string(*count) + " samples");
  return 0;
}

}  // namespace

int run_inspect_command(std::vector<std::string> words) {
  try {
    return run(std::move(words));
  } catch (const si::InspectError& e) {
    return report(e);
  }
}

}  // namespace shmcli
