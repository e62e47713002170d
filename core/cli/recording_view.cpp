// `shmipc status --at SECONDS FILE` and `shmipc export FILE --chrome TRACE`: a recording read
// back through the shmscope_record reader. A file cut short or corrupted is still shown up to
// its last good chunk, with the reader's verdict on standard error.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "arguments.hpp"
#include "commands.hpp"
#include "recording_commands.hpp"
#include "shmipc/error.hpp"
#include "shmipc/snapshot.hpp"
#include "shmipc/trace_export.hpp"
#include "shmrecord/reader.hpp"

namespace shmcli {

namespace {

constexpr const char* kExportUsage = R"(usage: shmipc export FILE --chrome TRACE.json

Turns a recording (shmipc record, shmipc scenario --record) into Chrome trace JSON: one track
per process, every mutex hold as a slice, every event set and consumption as an instant, each
set -> consume as an arrow. Open it in https://ui.perfetto.dev or chrome://tracing.
)";

constexpr const char* kStatusAtUsage = R"(usage: shmipc status --at SECONDS FILE [--json]

The block of a recording as it was SECONDS after the recording started, printed as
`shmipc status` prints a live block (ages are measured from that instant).
)";

std::unique_ptr<shmrecord::Reader> open_recording(const std::string& path) {
  try {
    auto reader = path == "-" ? shmrecord::Reader::open_fd(0) : shmrecord::Reader::open_file(path);
    // A stream is read to its end: these commands look at a finished recording.
    while (!reader->at_end()) reader->pump(std::chrono::milliseconds(1000));
    const auto& st = reader->status();
    if (st.state != shmrecord::FileState::Complete)
      std::fprintf(stderr, "shmipc: %s: %s: %s\n", path.c_str(),
                   std::string(shmrecord::file_state_name(st.state)).c_str(), st.problem.c_str());
    return reader;
  } catch (const shmrecord::FormatError& e) {
    throw shmipc::Error(shmipc::ErrorCode::Corrupt, path + ": " + e.what());
  }
}

std::string one_file(std::vector<std::string> bare, const char* usage) {
  if (bare.size() != 1)
    throw shmipc::Error(shmipc::ErrorCode::Usage, std::string("give one recording FILE\n") + usage);
  return bare.front();
}

}  // namespace

int run_status_at(std::vector<std::string> words) {
  auto bare = take_bare_words(words, {"at", "session"});
  Arguments args(std::move(words));
  if (args.flag("help")) {
    std::fputs(kStatusAtUsage, stdout);
    return 0;
  }
  const auto at = args.seconds("at");
  const bool as_json = args.flag("json");
  args.finish();
  const std::string path = one_file(std::move(bare), kStatusAtUsage);
  auto reader = open_recording(path);
  // Past its end a recording shows its last state, at its last instant.
  const std::uint64_t t = std::min(reader->time_at_seconds(at.value_or(0)), reader->end_ns());
  const auto block = reader->block_at(t);
  if (!block)
    throw shmipc::Error(shmipc::ErrorCode::NotFound,
                        path + " has no copy of the block at or before " +
                            std::to_string(at.value_or(0)) + " s");
  const shmipc::Snapshot snap = shmipc::decode_snapshot(*block);
  const std::string& session = reader->info().session;
  const std::string text = as_json ? status_json(session, snap, t) : status_text(session, snap, t);
  if (!as_json) {
    const auto& st = reader->status();
    std::printf("recording %s at %.3f s of %.3f s (host %s; %llu journal records, %llu lost in "
                "%zu gaps; %s)\n",
                path.c_str(), reader->seconds_of(t), reader->seconds_of(reader->end_ns()),
                reader->info().host.c_str(),
                static_cast<unsigned long long>(reader->journal_records()),
                static_cast<unsigned long long>(reader->lost_records()), reader->gaps().size(),
                std::string(shmrecord::file_state_name(st.state)).c_str());
  }
  std::fputs(text.c_str(), stdout);
  return 0;
}

int run_export(std::vector<std::string> words) {
  auto bare = take_bare_words(words, {"chrome"});
  Arguments args(std::move(words));
  if (args.flag("help")) {
    std::fputs(kExportUsage, stdout);
    return 0;
  }
  const auto chrome = args.value("chrome");
  args.finish();
  const std::string path = one_file(std::move(bare), kExportUsage);
  if (!chrome) throw shmipc::Error(shmipc::ErrorCode::Usage, std::string("give --chrome TRACE.json\n") + kExportUsage);
  auto reader = open_recording(path);
  std::vector<shmipc::JournalRecord> records;
  for (const auto& item : reader->journal_all()) records.push_back(item.record);
  std::ofstream out(*chrome);
  if (!out) throw shmipc::Error(shmipc::ErrorCode::System, "cannot write " + *chrome);
  out << shmipc::chrome_trace_json(records);
  out.close();
  if (!out) throw shmipc::Error(shmipc::ErrorCode::System, "cannot write " + *chrome);
  std::fprintf(stderr, "%zu journal records of %s written to %s as a Chrome trace\n",
               records.size(), path.c_str(), chrome->c_str());
  if (reader->lost_records() > 0)
    std::fprintf(stderr, "warning: the recording lost %llu records to the ring (%zu gaps)\n",
                 static_cast<unsigned long long>(reader->lost_records()), reader->gaps().size());
  return 0;
}

}  // namespace shmcli
