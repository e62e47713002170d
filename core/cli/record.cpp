// `shmipc record`: a live session saved as it happens, to a file or standard output (a
// stream: every chunk is flushed, so `... --out - | shmscope --open -` is live). Read-only on
// the block. Ends cleanly (end marker) on SIGINT/SIGTERM/SIGHUP, --seconds, or when the
// session's block goes away; a summary goes to standard error.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <thread>

#include "arguments.hpp"
#include "recording_commands.hpp"
#include "shmipc/clock.hpp"
#include "shmipc/error.hpp"
#include "shmipc/observer.hpp"
#include "shmrecord/recorder.hpp"

namespace shmcli {

namespace {

constexpr const char* kRecordUsage = R"(usage: shmipc record --session NAME --out FILE [--wait] [--seconds N] [--full-every SECONDS] [--quiet]

Saves a session as it happens (format: docs/RECORDING.md): every journal record (records the
ring overwrote before they could be copied are counted as gaps), each change of the block's
fixed areas, and a full copy of the block every second. Read-only: the block is copied with
pread, its mutex is never taken.

options:
  --out FILE            the recording; "-" writes it to standard output as it happens
                        (shmipc record --session S --out - | shmscope --open -)
  --wait                wait for the session to appear (start the recorder first to have a
                        run from its first record); without it, no session is an error
  --seconds N           stop after N seconds of recording (default: until Ctrl-C or the
                        session ends)
  --full-every SECONDS  interval between full copies of the block (default 1)
  --quiet               no summary on standard error

It stops cleanly (the file ends with its end marker) on Ctrl-C, SIGTERM, SIGHUP, --seconds,
or when the session's block is removed.
)";

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) { g_stop.store(true, std::memory_order_relaxed); }

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &sa, nullptr);
  // A reader that goes away is an error from write() (EPIPE), not a silent death.
  std::signal(SIGPIPE, SIG_IGN);
}

// --wait: until the session's segment exists and can be opened (a creator sizes it just
// after creating it: a segment of the wrong size is retried for a second before it counts as
// untrusted). A session that comes and goes between two looks (1 ms) is missed. False if a
// stop signal came first: nothing is recorded, no file is created.
bool wait_for_session(const std::string& session, bool quiet) {
  if (!quiet) std::fprintf(stderr, "waiting for session %s (Ctrl-C to give up)\n", session.c_str());
  int untrusted_tries = 0;
  while (!g_stop.load()) {
    try {
      shmipc::Observer::open(session);
      return true;
    } catch (const shmipc::Error& e) {
      if (e.code() == shmipc::ErrorCode::Untrusted && ++untrusted_tries > 1000) throw;
      if (e.code() != shmipc::ErrorCode::NotFound && e.code() != shmipc::ErrorCode::Untrusted)
        throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!quiet) std::fprintf(stderr, "stopped before session %s appeared: nothing recorded\n", session.c_str());
  return false;
}

}  // namespace

std::vector<std::string> take_bare_words(std::vector<std::string>& words,
                                         const std::vector<std::string>& with_value) {
  std::vector<std::string> bare, options;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    bool takes_value = false;
    for (const auto& o : with_value) takes_value = takes_value || w == "--" + o;
    if (takes_value && i + 1 < words.size()) {
      options.push_back(w);
      options.push_back(words[++i]);
    } else if (w == "-" || !w.starts_with("-")) {
      bare.push_back(w);
    } else {
      options.push_back(w);
    }
  }
  words = std::move(options);
  return bare;
}

int run_record(std::vector<std::string> words) {
  Arguments args(std::move(words));
  if (args.flag("help")) {
    std::fputs(kRecordUsage, stdout);
    return 0;
  }
  const std::string session = args.session();
  const auto out = args.value("out");
  const auto seconds = args.seconds("seconds");
  const auto full_every = args.seconds("full-every");
  const bool quiet = args.flag("quiet");
  const bool wait = args.flag("wait");
  args.finish();
  if (!out) throw shmipc::Error(shmipc::ErrorCode::Usage, "give --out FILE (or --out - for standard output)");
  if (full_every && *full_every < 0.01)
    throw shmipc::Error(shmipc::ErrorCode::Usage, "--full-every must be at least 0.01 s");

  install_stop_handlers();
  if (wait && !wait_for_session(session, quiet)) return 0;
  int fd = STDOUT_FILENO;
  if (*out != "-") {
    fd = ::open(out->c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) shmipc::throw_errno("cannot create " + *out, errno);
  }
  shmrecord::RecorderOptions options;
  if (full_every)
    options.full_copy_every = std::chrono::milliseconds(static_cast<std::int64_t>(*full_every * 1000));
  shmrecord::Recorder recorder(session, fd, options);
  if (!quiet)
    std::fprintf(stderr, "recording session %s to %s%s\n", session.c_str(),
                 *out == "-" ? "standard output" : out->c_str(),
                 seconds ? "" : " (Ctrl-C to stop)");
  std::optional<std::chrono::nanoseconds> duration;
  if (seconds) duration = std::chrono::nanoseconds(static_cast<std::int64_t>(*seconds * 1e9));
  const shmrecord::EndReason reason = recorder.run(g_stop, duration);
  if (fd != STDOUT_FILENO && ::close(fd) != 0) shmipc::throw_errno("closing " + *out, errno);

  const auto& s = recorder.stats();
  if (!quiet) {
    const double secs = static_cast<double>(s.ended_ns - s.started_ns) / 1e9;
    rusage usage {};
    ::getrusage(RUSAGE_SELF, &usage);
    const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                       static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    std::fprintf(stderr,
                 "recorded %llu journal records (%llu lost to the ring), %llu block changes, %llu "
                 "full copies, %llu bytes over %.2f s (%.0f records/s, %llu polls, %.2f s of CPU); ended: %s\n",
                 static_cast<unsigned long long>(s.records), static_cast<unsigned long long>(s.lost),
                 static_cast<unsigned long long>(s.changes),
                 static_cast<unsigned long long>(s.full_blocks),
                 static_cast<unsigned long long>(s.bytes_written), secs,
                 secs > 0 ? static_cast<double>(s.records) / secs : 0.0,
                 static_cast<unsigned long long>(s.polls), cpu,
                 std::string(shmrecord::end_reason_name(reason)).c_str());
    if (s.lost > 0)
      std::fprintf(stderr,
                   "warning: %llu journal records were overwritten in the ring before they could "
                   "be copied; the recording shows them as gaps (docs/PERFORMANCE.md, \"Recording "
                   "a busy session\")\n",
                   static_cast<unsigned long long>(s.lost));
  }
  return 0;
}

}  // namespace shmcli
