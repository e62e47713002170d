// `shmipc soak`: a parent and a child (forked peers running the library) exchange N messages
// with an observer attached, while a random peer is SIGKILLed every ~K messages and restarted.
// Every message carries a unique number; at the end each one must be delivered exactly once
// (counted by the parents) or reported as failed to its sender. docs/RELIABILITY.md, "Soak".
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>

#include "commands.hpp"
#include "shmipc/error.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/robust_mutex.hpp"
#include "shmipc/session_name.hpp"
#include "soak_ledger.hpp"
#include "soak_peers.hpp"

namespace shmcli {

namespace {

using namespace std::chrono_literals;
using namespace soak;

struct Peer {
  pid_t pid = -1;
  const char* name = "";
};

// Waits for a peer's end; its exit code, or 128 + signal.
int reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Waits (bounded) until `counter` passes `before`: the restarted peer has joined.
bool joined(const std::atomic<std::uint64_t>& counter, std::uint64_t before, pid_t pid) {
  const auto until = std::chrono::steady_clock::now() + 20s;
  while (counter.load() <= before) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return false;
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(200us);
  }
  return true;
}

// A parent killed between taking a message from the block (its receipt given) and counting
// it: the block says so. Its last MessageRead record names the message; if the journal lost
// that record, the message area does (read sequence equal to the written one).
std::optional<std::uint64_t> reconcile_killed_parent(shmipc::Session& watcher, pid_t dead,
                                                     const Shared& sh, std::uint64_t messages,
                                                     std::vector<std::uint8_t>& taken_by_dead) {
  shmipc::Block& b = watcher.block();
  const std::uint64_t next = b.journal.next.load();
  // Newest first, entry by entry: journal_read stops at a record a killed child claimed and
  // never wrote, and the dead parent's last records may lie beyond it.
  std::optional<std::uint64_t> last;
  const std::uint64_t oldest =
      next > shmipc::kJournalCapacity ? next - shmipc::kJournalCapacity : 0;
  for (std::uint64_t n = next; n > oldest && !last; --n) {
    const shmipc::JournalEntry& e = b.journal.entries[(n - 1) % shmipc::kJournalCapacity];
    if (e.version_head.load(std::memory_order_acquire) != n) continue;
    std::uint64_t words[6];
    for (int i = 0; i < 6; ++i) words[i] = e.words[i].load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (e.version_tail.load(std::memory_order_relaxed) != n) continue;
    shmipc::JournalRecord r{};
    std::memcpy(&r, words, sizeof r);
    if (r.pid == static_cast<std::uint32_t>(dead) &&
        r.kind == static_cast<std::uint16_t>(shmipc::JournalKind::MessageRead))
      last = id_of(r.preview, sizeof r.preview);
  }
  shmipc::RobustMutex mutex(watcher.actor());
  shmipc::MutexGuard guard(mutex, after_seconds(5));
  if (guard.acquired()) {
    shmipc::MessageArea& area = b.message;
    const std::uint32_t size = area.data_size.load();
    if (area.message_read_sequence.load() == area.message_sequence.load() &&
        size <= shmipc::kDataCapacity) {
      if (const auto id = id_of(area.data, size); id && (!last || *id > *last)) last = id;
    }
  }
  if (last && *last < messages && sh.delivered[*last].load() == 0) {
    taken_by_dead[*last] = 1;
    return last;
  }
  return std::nullopt;
}

Config read_config(Arguments& args) {
  Config cfg;
  const auto session = args.value("session");
  cfg.session = session ? *session : "soak-" + std::to_string(::getpid());
  shmipc::validate_session_name(cfg.session);
  cfg.messages = args.count("messages").value_or(100000);
  cfg.kill_every = args.count("kill-every").value_or(5000);
  if (const auto t = args.seconds("timeout")) {
    if (*t <= 0) throw shmipc::Error(shmipc::ErrorCode::Usage, "--timeout needs seconds > 0");
    cfg.timeout_s = *t;
  }
  cfg.seed = args.count("seed").value_or(static_cast<std::uint64_t>(shmipc::monotonic_ns()));
  cfg.verbose = args.flag("verbose");
  args.finish();
  return cfg;
}

}  // namespace

int run_soak(Arguments& args) {
  const Config cfg = read_config(args);
  const Shared sh = map_ledger(cfg.messages);
  std::mt19937_64 rng(cfg.seed);
  auto gap = [&] {
    // Every ~K messages: uniformly between K/2 and 3K/2.
    std::uniform_int_distribution<std::uint64_t> d(cfg.kill_every / 2 + 1, cfg.kill_every * 3 / 2);
    return d(rng);
  };
  std::printf(
      "soak: %llu messages on session %s, a random peer SIGKILLed every ~%llu and "
      "restarted (seed %llu)\n",
      static_cast<unsigned long long>(cfg.messages), cfg.session.c_str(),
      static_cast<unsigned long long>(cfg.kill_every), static_cast<unsigned long long>(cfg.seed));
  std::fflush(stdout);
  const auto started = std::chrono::steady_clock::now();

  Peer parent{fork_peer([&] { return parent_body(cfg, sh); }), "parent"};
  if (!joined(sh.ledger->parent_joins, 0, parent.pid))
    throw shmipc::Error(shmipc::ErrorCode::System, "the first parent did not join");
  // The controller is a member too: the block is never rebuilt under the run, and it reads
  // the journal after each parent's death.
  shmipc::SessionOptions watch_options;
  watch_options.name = cfg.session;
  watch_options.role = shmipc::RoleRequest::Observer;
  auto watcher = shmipc::Session::join(watch_options);
  const pid_t observer = fork_peer([&] { return observer_body(cfg, sh); });
  Peer child{fork_peer([&] { return child_body(cfg, sh); }), "child"};

  std::vector<std::uint8_t> taken_by_dead(cfg.messages, 0);
  std::uint64_t kills_parent = 0, kills_child = 0, unexpected = 0;
  std::uint64_t next_kill = cfg.kill_every ? gap() : UINT64_MAX;
  std::uint64_t next_report = cfg.messages / 10;
  bool parent_done = false, child_done = false;
  const auto give_up = started + 120s + std::chrono::milliseconds(cfg.messages);
  auto restart = [&](Peer& p) {
    if (&p == &parent) {
      const std::uint64_t before = sh.ledger->parent_joins.load();
      p.pid = fork_peer([&] { return parent_body(cfg, sh); });
      if (!joined(sh.ledger->parent_joins, before, p.pid))
        throw shmipc::Error(shmipc::ErrorCode::System, "a restarted parent did not join");
    } else {
      p.pid = fork_peer([&] { return child_body(cfg, sh); });
    }
  };
  while (!(parent_done && child_done)) {
    if (std::chrono::steady_clock::now() > give_up)
      throw shmipc::Error(
          shmipc::ErrorCode::Timeout,
          "the soak made no end (settled " + std::to_string(sh.ledger->settled.load()) + ")");
    const std::uint64_t settled = sh.ledger->settled.load();
    if (settled >= next_report && next_report > 0) {
      std::printf("soak: %llu/%llu messages, %llu kills\n",
                  static_cast<unsigned long long>(settled),
                  static_cast<unsigned long long>(cfg.messages),
                  static_cast<unsigned long long>(kills_parent + kills_child));
      std::fflush(stdout);
      while (next_report <= settled) next_report += cfg.messages / 10;
    }
    if (settled >= next_kill && sh.ledger->next_id.load() < cfg.messages && !child_done) {
      Peer& victim = (rng() & 1) ? parent : child;
      ::kill(victim.pid, SIGKILL);
      reap(victim.pid);
      std::optional<std::uint64_t> taken;
      if (&victim == &parent) {
        taken = reconcile_killed_parent(*watcher, parent.pid, sh, cfg.messages, taken_by_dead);
        ++kills_parent;
      } else {
        ++kills_child;
      }
      if (cfg.verbose) {
        std::printf(
            "soak: killed the %s (pid %d) at message %llu%s\n", victim.name,
            static_cast<int>(victim.pid),
            static_cast<unsigned long long>(sh.ledger->next_id.load()),
            taken ? (", which had taken message " + std::to_string(*taken) + " without counting it")
                        .c_str()
                  : "");
      }
      restart(victim);
      next_kill = settled + gap();
      continue;
    }
    for (Peer* p : {&parent, &child}) {
      bool& done = p == &parent ? parent_done : child_done;
      int status = 0;
      if (done || ::waitpid(p->pid, &status, WNOHANG) != p->pid) continue;
      const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      if (code == 0) {
        done = true;
        continue;
      }
      // A peer that ended by itself (not killed by us) is a finding: say so, start another.
      ++unexpected;
      std::printf("soak: the %s (pid %d) exited with code %d by itself; restarting it\n", p->name,
                  static_cast<int>(p->pid), code);
      if (p == &parent) reconcile_killed_parent(*watcher, p->pid, sh, cfg.messages, taken_by_dead);
      restart(*p);
    }
    std::this_thread::sleep_for(200us);  // a supervisor's schedule, not a wait for an event
  }
  sh.ledger->stop_observer.store(1);
  reap(observer);
  watcher->leave();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const Tally t = account(sh, cfg.messages, taken_by_dead);
  const Ledger& l = *sh.ledger;
  auto u = [](std::uint64_t v) { return static_cast<unsigned long long>(v); };
  std::printf(
      "soak summary (session %s, seed %llu):\n"
      "  messages                 %llu (sent by %llu children to %llu parents)\n"
      "  delivered exactly once   %llu\n"
      "  reported failed          %llu (to their sender: timed out or withdrawn, never delivered)\n"
      "  sender killed in flight  %llu (of which delivered once: %llu)\n"
      "  taken by a killed parent %llu (receipt given, parent killed before counting it; the "
      "journal names it)\n"
      "  lost                     %llu\n"
      "  duplicated               %llu\n"
      "  failed but delivered     %llu\n"
      "  rejected reads           %llu (torn or bad checksum), foreign %llu\n"
      "  kills                    %llu (parent %llu, child %llu); peers that died by "
      "themselves %llu\n"
      "  observer                 %llu snapshots, %llu errors\n"
      "  elapsed                  %.1f s (%.0f messages/s)\n",
      cfg.session.c_str(), u(cfg.seed), u(cfg.messages), u(l.child_joins.load()),
      u(l.parent_joins.load()), u(t.delivered), u(t.failed), u(t.in_flight),
      u(t.in_flight_delivered), u(t.taken_by_killed_parent), u(t.lost), u(t.duplicated),
      u(t.failed_but_delivered), u(l.rejected.load()), u(l.foreign.load()),
      u(kills_parent + kills_child), u(kills_parent), u(kills_child), u(unexpected),
      u(l.snapshots.load()), u(l.observer_errors.load()), elapsed,
      static_cast<double>(cfg.messages) / elapsed);
  if (t.unsent > 0) std::printf("  NEVER SENT               %llu\n", u(t.unsent));
  if (!t.ok()) {
    std::string which;
    int listed = 0;
    for (std::uint64_t id = 0; id < cfg.messages && listed < 20; ++id) {
      const unsigned d = sh.delivered[id].load();
      const unsigned o = sh.outcome[id].load();
      const bool bad = d > 1 || (o == kReceipt && d == 0 && !taken_by_dead[id]) ||
                       (o == kFailed && d > 0) || o == kUnsent;
      if (!bad) continue;
      which += " " + std::to_string(id) + "(outcome " + std::to_string(o) + ", delivered " +
               std::to_string(d) + ")";
      ++listed;
    }
    std::printf("  messages in question:%s\n", which.c_str());
    if (t.duplicated > 0) {
      const Ledger& l = *sh.ledger;
      std::printf(
          "  a second delivery: message %llu at block sequence %llu by parent %u, then at "
          "%llu by parent %u\n",
          static_cast<unsigned long long>(l.dup_id.load()),
          static_cast<unsigned long long>(l.dup_first_sequence.load()), l.dup_first_pid.load(),
          static_cast<unsigned long long>(l.dup_second_sequence.load()), l.dup_second_pid.load());
    }
  }
  const bool ok = t.ok() && unexpected == 0;
  std::printf("soak: %s\n", ok ? "PASS: every message accounted for"
                               : "FAIL: messages lost, duplicated or misreported");
  unmap_ledger(sh);
  return ok ? 0 : 1;
}

}  // namespace shmcli
