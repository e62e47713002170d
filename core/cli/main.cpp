// `shmipc`: the article's parent and child as a command, plus tools to look at a session.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "commands.hpp"
#include "inspect_command.hpp"
#include "recording_commands.hpp"
#include "scenario_command.hpp"
#include "shmipc/error.hpp"

namespace {

constexpr const char* kUsage = R"(usage: shmipc COMMAND [--session NAME] [options]

The protocol of "Shared Memory with IPC with threads" on Linux: a parent and a child share one
block (/dev/shm/shmscope.NAME) guarded by a robust mutex and five auto-reset events.

commands:
  join                      the article's program: the first to start is the parent, the next
                            the child (accepts the child's options)
  parent [--seed-faithful] [--count N] [--out FILE]
                            be the parent: print each message and command; exit 0 on KILL_APP
                            (--out: append every message's bytes to FILE instead, in order)
  child [--send TEXT]... [--kill] [--ping] [--every SECONDS] [--seed-faithful] [--step] [--timeout SECONDS] [--send-file FILE]
                            be the child: acknowledge, send each TEXT, then the commands;
                            without --send/--kill/--ping, send each line of stdin
                            ("/kill" and "/ping" send commands); gives up with exit code 10
                            when the parent does not answer one step in SECONDS (default 30),
                            saying which message was not delivered and why (stopped, dead...)
                            (--send-file: FILE first, in chunks of at most 1000 bytes, each
                            after the previous one's receipt)
  status [--json]           the block as an observer sees it (read-only)
  status --at SECONDS FILE [--json]
                            the block of a recording as it was SECONDS after its start
  record --out FILE|- [--wait] [--seconds N]
                            save the session as it happens: journal, block changes, full
                            copies (docs/RECORDING.md); "-" streams it to standard output
  export FILE --chrome TRACE.json
                            a recording as a Chrome/Perfetto trace
  watch [--interval MS] [--count N]
                            live view of the block, refreshing in place (read-only)
  lock --hold SECONDS       take the mutex and hold it (to show contention)
  clean                     remove the session's segment if no live process uses it
  demo [--seconds N]        a parent and a child on a private session, in this terminal
  bench [--messages N] [--sizes 16,100,1000] [--seed-messages N] [--json]
        [--placements unpinned,same-cpu,two-cpus] [--mechanisms pipe,futex,...]
        [--stream-bytes N] [--no-journal-cost]
                            hand-off latency and throughput against pipe, socketpair, Boost,
                            raw futex and busy-spin floors, in each placement; the journal's
                            cost; a file streamed through the block (docs/PERFORMANCE.md)
  soak [--messages N] [--kill-every K] [--timeout SECONDS] [--seed S]
                            a parent and a child exchange N numbered messages (default
                            100000) with an observer attached; a random peer is SIGKILLed
                            every ~K messages (default 5000, 0: never) and restarted; exit 0
                            only if every message was delivered exactly once or reported as
                            failed to its sender (a private session unless --session)
  scenario NAME [--trace FILE.json] [--record FILE] | scenario --list
                            run a lesson step by step on real processes, narrated; exit 0 if
                            it passes its checks, 1 if not (see shmipc scenario --help)
  inspect NAME --type T --from BINARY [--json] [--watch] | inspect --segments
                            any program's shared memory decoded through its debug info (or
                            --layout FILE), read-only (see shmipc inspect --help)
  metrics [--listen HOST:PORT] [--interval MS] [--forget-after SECONDS] [--once]
                            every session of this user as OpenMetrics for Prometheus at
                            http://HOST:PORT/metrics (default 127.0.0.1:9464; port 0: any free
                            port, printed); --once prints one collection (docs/METRICS.md)

options:
  --session NAME            1-64 of A-Z a-z 0-9 . _ - (default KBuildDevelop)
  --help                    this text (or COMMAND --help)
  --version                 the version

environment:
  SHMIPC_SPIN=adaptive|off|always, SHMIPC_SPIN_US=N
                            how long a waiter polls before it sleeps (docs/PERFORMANCE.md)
  SHMIPC_FAULT=POINT[:N][:stop]
                            for fault tests: SIGKILL (or SIGSTOP) this process the Nth time
                            it reaches POINT: after-lock, mid-write, before-unlock,
                            after-unlock, receipt-wait, step-gate, slot-claim, join, leave
                            (docs/RELIABILITY.md); off unless set

exit codes:
  0 success (the parent: KILL_APP received)   7 segment not trusted (owner, mode or size)
  1 unexpected internal error                 8 block corrupt (magic, version or field)
  2 usage: bad command line                   9 message too large (nothing written)
  3 invalid session name                     10 timed out
  4 session full                             11 the peer died or left
  5 role taken (clean: session in use)       12 system call failed
  6 no such session
)";

struct Subcommand {
  std::string_view name;
  int (*run)(shmcli::Arguments&);
};

constexpr Subcommand kSubcommands[] = {
    {"join", shmcli::run_join},
    {"parent", shmcli::run_parent},
    {"child", shmcli::run_child},
    {"status", shmcli::run_status},
    {"watch", shmcli::run_watch},
    {"lock", shmcli::run_lock},
    {"clean", shmcli::run_clean},
    {"demo", shmcli::run_demo},
    {"bench", shmcli::run_bench},
    {"soak", shmcli::run_soak},
    {"metrics", shmcli::run_metrics},
};

// The exit code's meaning, so that the first words of an error say what kind it is.
const char* category(shmipc::ErrorCode code) {
  switch (code) {
    case shmipc::ErrorCode::Usage:
      return "usage";
    case shmipc::ErrorCode::InvalidName:
      return "invalid session name";
    case shmipc::ErrorCode::SessionFull:
      return "session full";
    case shmipc::ErrorCode::RoleTaken:
      return "role taken";
    case shmipc::ErrorCode::NotFound:
      return "no such session";
    case shmipc::ErrorCode::Untrusted:
      return "segment not trusted";
    case shmipc::ErrorCode::Corrupt:
      return "block corrupt";
    case shmipc::ErrorCode::MessageTooLarge:
      return "message too large";
    case shmipc::ErrorCode::Timeout:
      return "timed out";
    case shmipc::ErrorCode::PeerGone:
      return "peer gone";
    case shmipc::ErrorCode::System:
      return "system call failed";
  }
  return "error";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty()) {
    std::fputs(kUsage, stderr);
    return static_cast<int>(shmipc::ErrorCode::Usage);
  }
  const std::string command = words.front();
  words.erase(words.begin());
  if (command == "--version") {
    std::printf("shmipc %s\n", SHMSCOPE_VERSION);
    return 0;
  }
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  try {
    if (command == "scenario") return shmcli::run_scenario_command(std::move(words));
    if (command == "inspect") return shmcli::run_inspect_command(std::move(words));
    if (command == "record") return shmcli::run_record(std::move(words));
    if (command == "export") return shmcli::run_export(std::move(words));
    if (command == "status") {
      for (const auto& w : words)
        if (w == "--at" || w.starts_with("--at=")) return shmcli::run_status_at(std::move(words));
    }
    for (const auto& sub : kSubcommands) {
      if (sub.name != command) continue;
      shmcli::Arguments args(std::move(words));
      if (args.flag("help")) {
        std::fputs(kUsage, stdout);
        return 0;
      }
      return sub.run(args);
    }
    throw shmipc::Error(shmipc::ErrorCode::Usage,
                        "unknown command '" + command + "' (see shmipc --help)");
  } catch (const shmipc::Error& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "shmipc %s: %s: %s\n", command.c_str(), category(e.code()), e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "shmipc %s: internal error: %s\n", command.c_str(), e.what());
    return 1;
  }
}
