// Runs a scenario on real processes. Determinism comes from two rules: the runner grants one
// action at a time, and it grants only when every process has come to rest (parked at its
// gate, blocked on an event nobody has set, blocked on a mutex held by a parked process, idle
// between instructions, or dead). At rest, which actions are pending depends only on what was
// granted before, so "oldest first, ties by slot" picks the same action every run.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "scenario_actor.hpp"
#include "shmipc/error.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/narration.hpp"
#include "shmipc/observer.hpp"
#include "shmipc/process_identity.hpp"
#include "shmipc/scenario.hpp"
#include "shmipc/session.hpp"
#include "shmipc/step_controller.hpp"

namespace shmipc {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct ActorState {
  ScenarioActor spec;
  pid_t pid = -1;
  int to_fd = -1;
  int from_fd = -1;
  std::string inbox;
  bool busy = false;
  ScenarioInstruction current;
  bool dead = false;
  int exit_status = -1;  // exit code, or 128 + signal
};

std::string lower_first(std::string s) {
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') s[0] = static_cast<char>(s[0] - 'A' + 'a');
  return s;
}

class Runner {
 public:
  Runner(const Scenario& s, const ScenarioRunOptions& o) : scenario_(s), options_(o) {
    session_name_ = o.session_name.empty()
                        ? "scn-" + s.name.substr(0, 40) + "-" + std::to_string(::getpid()) + "-" +
                              std::to_string(counter_++)
                        : o.session_name;
    watchdog_ = Clock::now() + o.watchdog;
    result_.name = s.name;
    result_.title = s.title;
    result_.goal = s.goal;
    result_.expected = s.expected;
  }

  ~Runner() { shut_down(); }

  ScenarioResult run() {
    ::unlink(("/dev/shm/shmscope." + session_name_).c_str());
    result_.actor_of_pid[static_cast<std::uint32_t>(::getpid())] = "runner";
    start_actors();
    for (const ScenarioInstruction& step : scenario_.steps) {
      if (!perform(step)) break;
    }
    if (result_.failures.empty()) settle();
    finish_journal();
    evaluate_checks();
    result_.passed = result_.failures.empty();
    shut_down();
    return std::move(result_);
  }

 private:
  // ---- processes -------------------------------------------------------------------------
  void start_actors() {
    for (const ScenarioActor& spec : scenario_.actors) {
      int down[2], up[2];
      if (::pipe2(down, O_CLOEXEC) != 0 || ::pipe2(up, O_CLOEXEC) != 0)
        throw_errno("pipe2 for a scenario actor", errno);
      std::fflush(nullptr);
      const pid_t runner = ::getpid();
      const pid_t pid = ::fork();
      if (pid < 0) throw_errno("fork of a scenario actor", errno);
      if (pid == 0) {
        // An actor must never outlive the runner: the failure under study is a hang.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != runner) ::_exit(98);
        for (const ActorState& other : actors_) {
          ::close(other.to_fd);
          ::close(other.from_fd);
        }
        ::close(down[1]);
        ::close(up[0]);
        int rc = 99;
        try {
          rc = scenario_detail::actor_main(spec, session_name_, down[0], up[1]);
        } catch (...) {
        }
        std::fflush(nullptr);
        ::_exit(rc);
      }
      ::close(down[0]);
      ::close(up[1]);
      ActorState a;
      a.spec = spec;
      a.pid = pid;
      a.to_fd = down[1];
      a.from_fd = up[0];
      result_.actor_of_pid[static_cast<std::uint32_t>(pid)] = spec.name;
      actors_.push_back(std::move(a));
    }
  }

  std::size_t actor_index(const std::string& name) const {
    for (std::size_t i = 0; i < actors_.size(); ++i)
      if (actors_[i].spec.name == name) return i;
    return actors_.size();
  }

  ActorState* actor(const std::string& name) {
    for (auto& a : actors_)
      if (a.spec.name == name) return &a;
    return nullptr;
  }

  void reap() {
    for (auto& a : actors_) {
      if (a.dead || a.pid <= 0) continue;
      int status = 0;
      if (::waitpid(a.pid, &status, WNOHANG) == a.pid) mark_dead(a, status);
    }
  }

  void mark_dead(ActorState& a, int status) {
    a.dead = true;
    a.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (a.busy) {
      a.busy = false;
      json r = {{"ok", false}, {"error_code", "PeerGone"}, {"error", a.spec.name + " died"}};
      if (!a.current.id.empty()) results_[a.current.id] = r;
    }
  }

  // Reads whatever replies have arrived; waits at most `wait` for the first one.
  void collect(std::chrono::milliseconds wait = std::chrono::milliseconds(0)) {
    std::vector<pollfd> fds;
    std::vector<ActorState*> owners;
    for (auto& a : actors_) {
      if (a.from_fd < 0) continue;
      fds.push_back({a.from_fd, POLLIN, 0});
      owners.push_back(&a);
    }
    if (fds.empty()) return;
    if (::poll(fds.data(), fds.size(), static_cast<int>(wait.count())) <= 0) return;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP)) == 0) continue;
      ActorState& a = *owners[i];
      char chunk[8192];
      ssize_t n = ::read(a.from_fd, chunk, sizeof chunk);
      if (n <= 0) {
        ::close(a.from_fd);
        a.from_fd = -1;
        continue;
      }
      a.inbox.append(chunk, static_cast<std::size_t>(n));
      for (auto nl = a.inbox.find('\n'); nl != std::string::npos; nl = a.inbox.find('\n')) {
        const std::string line = a.inbox.substr(0, nl);
        a.inbox.erase(0, nl + 1);
        on_reply(a, line);
      }
    }
  }

  void on_reply(ActorState& a, const std::string& line) {
    json r = json::parse(line, nullptr, false);
    if (r.is_discarded()) r = {{"ok", false}, {"error_code", "Internal"}, {"error", "bad reply"}};
    const ScenarioInstruction done = a.current;
    a.busy = false;
    if (!done.id.empty()) results_[done.id] = r;
    const bool ok = r.value("ok", false);
    const std::string code = r.value("error_code", "");
    if (ok && done.action == "join") joined_once_ = true;
    if (ok && !done.figure.empty() && r["result"].contains("latency_us_mean"))
      result_.figures[done.figure] = r["result"]["latency_us_mean"].get<double>();
    std::string text;
    if (ok) {
      text = "The " + a.spec.name + " finished \"" + done.action + "\"" +
             summary(done, r["result"]) + ".";
    } else {
      text = "The " + a.spec.name + "'s \"" + done.action + "\" failed with " + code + ": " +
             r.value("error", "") + ".";
      if (done.expect_error.empty() || done.expect_error != code)
        fail(done.where + ": " + a.spec.name + " " + done.action + " failed: " + code + ": " +
             r.value("error", ""));
    }
    if (ok && !done.expect_error.empty())
      fail(done.where + ": expected " + done.expect_error + ", but " + done.action + " succeeded");
    runner_event(a.spec.name, text);
  }

  static std::string summary(const ScenarioInstruction& done, const json& r) {
    if (done.action == "join" && r.contains("role"))
      return std::string(" as the ") + lower_first(r["role"].get<std::string>()) +
             (r.value("reclaimed", false) ? ", rebuilding the stale block" : "") +
             (r.value("created", false) ? ", creating the block" : "");
    if (r.contains("event") && r["event"] == "message")
      return ": message \"" + r.value("data", "") + "\"" +
             (r.value("checksum_ok", true) ? "" : ", checksum WRONG") +
             (r.value("torn", false) ? ", torn" : "") +
             (r.value("lost_before", 0) > 0
                  ? ", " + std::to_string(r.value("lost_before", 0)) + " message(s) lost before it"
                  : "");
    if (r.contains("event") && r["event"] == "child_started") return ": the child has started";
    if (r.contains("latency_us_mean"))
      return ": mean latency " +
             std::to_string(static_cast<long>(r["latency_us_mean"].get<double>())) + " us";
    if (r.value("overwrote_unread", false)) return ", overwriting a message nobody read";
    if (done.action == "write_without_mutex")
      return ": it wrote \"" + done.text +
             "\" into the data without taking the mutex, while the mutex holder is in the middle "
             "of its work";
    if (r.value("owner_died", false))
      return std::string(": the mutex's owner had died") +
             (r.value("torn_write_found", false) ? " mid-write, the torn write is marked" : "");
    return {};
  }

  void send(ActorState& a, const ScenarioInstruction& step) {
    json j = {{"do", step.action},   {"text", step.text}, {"command", step.command},
              {"count", step.count}, {"mode", step.mode}, {"latency", !step.figure.empty()}};
    const std::string s = j.dump() + "\n";
    a.busy = true;
    a.current = step;
    if (a.to_fd < 0 || ::write(a.to_fd, s.data(), s.size()) != static_cast<ssize_t>(s.size())) {
      a.busy = false;
      fail(step.where + ": cannot reach " + a.spec.name);
    }
  }

  // ---- rest detection --------------------------------------------------------------------
  bool at_rest(const Snapshot& s, const ActorState& a) const {
    if (a.dead || !a.busy) return true;
    const auto pid = static_cast<std::uint32_t>(a.pid);
    const SnapshotParticipant* me = nullptr;
    for (const auto& p : s.participants)
      if (p.in_use() && p.pid == pid) me = &p;
    if (me == nullptr) return false;  // still joining, or leaving
    if (me->step_pending != JournalKind::None && me->step_grants == me->step_taken) return true;
    // Events this process would wake for: what its waiter slot asks, plus what its role
    // listens to (a polling parent waits for one event at a time but reacts to all three).
    std::uint32_t mask =
        me->role == Role::Parent
            ? event_bit(EventId::ChildAcknowledge) | event_bit(EventId::SendMessage) |
                  event_bit(EventId::SendCommand)
            : event_bit(EventId::ReceiveMessage) | event_bit(EventId::ReceiveCommand);
    bool waiting = false;
    for (const auto& w : s.waiters) {
      if (w.in_use() && w.owner_pid == pid) {
        waiting = true;
        mask |= w.wait_mask;
      }
    }
    if (waiting && me->activity == Activity::WaitingEvent) {
      for (std::size_t e = 0; e < kEventCount; ++e)
        if ((mask & (1u << e)) && s.events[e].signalled) return false;
      return true;
    }
    if (me->activity == Activity::WaitingMutex && s.mutex.owner_pid != 0 &&
        s.mutex.owner_pid != pid) {
      for (const auto& other : actors_)
        if (static_cast<std::uint32_t>(other.pid) == s.mutex.owner_pid)
          return other.dead ? false : at_rest(s, other);
      return false;
    }
    return false;
  }

  bool all_at_rest(const Snapshot& s) const {
    for (const auto& a : actors_)
      if (!at_rest(s, a)) return false;
    return true;
  }

  // Waits (bounded) until every process is at rest, seen twice with nothing journaled in
  // between (a process caught between two states is not at rest). False if the bound hit.
  bool settle() {
    const auto limit = std::min(watchdog_, Clock::now() + std::chrono::seconds(2));
    while (Clock::now() < limit) {
      collect();
      reap();
      if (!observer_) {
        bool idle = true;
        for (const auto& a : actors_) idle = idle && (a.dead || !a.busy);
        if (idle) return true;
        collect(std::chrono::milliseconds(1));
        continue;
      }
      Snapshot first = observer_->snapshot();
      if (all_at_rest(first)) {
        std::this_thread::sleep_for(std::chrono::microseconds(300));
        collect();
        reap();
        Snapshot second = observer_->snapshot();
        if (all_at_rest(second) && second.journal_next == first.journal_next) {
          last_ = std::move(second);
          have_last_ = true;
          return true;
        }
      } else {
        std::this_thread::sleep_for(std::chrono::microseconds(100));
      }
    }
    return false;
  }

  // ---- stepping --------------------------------------------------------------------------
  // Grants actions until `done` holds. False (with a failure recorded) at the watchdog.
  template <typename Pred>
  bool drive(Pred done, const std::string& what) {
    for (;;) {
      collect();
      reap();
      if (done()) return true;
      if (Clock::now() >= watchdog_) {
        fail("stuck while " + what + " (watchdog): " + describe_state());
        return false;
      }
      const bool rest = settle();
      if (done()) return true;
      if (rest && controller_ && controller_->enabled()) {
        if (auto granted = controller_->step()) {
          record_grant(*granted);
          continue;
        }
      }
      collect(std::chrono::milliseconds(2));
    }
  }

  std::string describe_state() {
    std::string out;
    for (const auto& a : actors_) {
      out += a.spec.name + (a.dead   ? " dead"
                            : a.busy ? " busy with \"" + a.current.action + "\""
                                     : " idle");
      out += "; ";
    }
    if (controller_) {
      for (const auto& p : controller_->pending())
        out += std::string(role_name(p.role)) + " parked at " +
               std::string(journal_kind_name(p.kind)) + "; ";
    }
    return out;
  }

  std::string name_of_pid(std::uint32_t pid) const {
    auto it = result_.actor_of_pid.find(pid);
    return it == result_.actor_of_pid.end() ? std::string("runner") : it->second;
  }

  void record_grant(const PendingAction& a) {
    const std::uint64_t from = journal_from_;
    // Replies that arrive while the granted action settles happened after it: keep them
    // until the grant itself is recorded.
    deferring_ = true;
    settle();
    deferring_ = false;
    collect_journal();
    ScenarioStep step;
    step.granted = true;
    step.actor = name_of_pid(a.pid);
    step.slot = a.slot;
    step.role = a.role;
    step.kind = a.kind;
    step.arg = a.arg;
    step.narration = narrate_pending(a);
    for (const auto& item : journal_items_) {
      if (item.seq < from) continue;
      if (item.record.pid == a.pid && item.record.kind == static_cast<std::uint16_t>(a.kind)) {
        step.narration = narrate_record(item.record);
        break;
      }
    }
    // A granted lock request that got the mutex reads better as one sentence.
    if (a.kind == JournalKind::LockRequested) {
      for (const auto& item : journal_items_) {
        if (item.seq >= from && item.record.pid == a.pid &&
            item.record.kind == static_cast<std::uint16_t>(JournalKind::LockAcquired)) {
          const std::string asked = "asked for the mutex";
          if (auto at = step.narration.find(asked); at != std::string::npos)
            step.narration.replace(at, asked.size(), "locked the mutex");
          break;
        }
      }
    }
    // What the protocol found while doing it is the point of several lessons: say it too.
    bool after_action = false;  // only what followed the granted action itself
    for (const auto& item : journal_items_) {
      if (item.seq < from) continue;
      const auto kind = static_cast<JournalKind>(item.record.kind);
      if (item.record.pid != a.pid) {
        // The wake-up this action caused in another process is part of the story.
        if (after_action && kind == JournalKind::EventConsumed)
          step.narration += " " + narrate_record(item.record);
        continue;
      }
      if (kind == a.kind) {
        after_action = true;
        continue;
      }
      // The overwrite is found (and journaled) just before the write it warns about.
      if (!after_action && kind != JournalKind::MessageOverwritten) continue;
      switch (kind) {
        case JournalKind::LockReleased:
        case JournalKind::OwnerDied:
        case JournalKind::TornWrite:
        case JournalKind::ChecksumMismatch:
        case JournalKind::MessageOverwritten:
        case JournalKind::PeerDied:
          step.narration += " " + narrate_record(item.record);
          break;
        default:
          break;
      }
    }
    push_step(std::move(step));
    std::vector<ScenarioStep> later;
    later.swap(deferred_);
    // Replies gathered in one settle finished concurrently: their arrival order is the
    // scheduler's, so they are told in the scenario's actor order.
    std::stable_sort(later.begin(), later.end(),
                     [this](const ScenarioStep& x, const ScenarioStep& y) {
                       return actor_index(x.actor) < actor_index(y.actor);
                     });
    for (auto& s : later) push_step(std::move(s));
  }

  void runner_event(const std::string& who, const std::string& text) {
    ScenarioStep step;
    step.actor = who;
    step.narration = text;
    if (deferring_)
      deferred_.push_back(std::move(step));
    else
      push_step(std::move(step));
  }

  void push_step(ScenarioStep step) {
    step.number = static_cast<int>(result_.steps.size()) + 1;
    if (observer_ && result_.steps.size() < kMaxKeptSnapshots) {
      step.snapshot = have_last_ ? last_ : observer_->snapshot();
      step.has_snapshot = true;
    }
    have_last_ = false;
    result_.steps.push_back(std::move(step));
    if (options_.on_step) {
      // A monitor pacing the run blocks here until its user grants the next step: that time
      // is the user's, not the run's, so the watchdog does not count it.
      const auto held_from = Clock::now();
      options_.on_step(result_.steps.back());
      watchdog_ += Clock::now() - held_from;
    }
  }

  // ---- the journal -----------------------------------------------------------------------
  void collect_journal() {
    if (!observer_) return;
    Snapshot s = observer_->snapshot();
    // A reclaimed block starts a new journal (and a new epoch).
    if (s.journal_next < journal_from_ || s.header.session_epoch != journal_epoch_)
      journal_from_ = 0;
    journal_epoch_ = s.header.session_epoch;
    JournalRead read = observer_->journal_since(s, journal_from_);
    for (auto& item : read.items) journal_items_.push_back(item);
    journal_from_ = read.next;
  }

  void finish_journal() {
    collect_journal();
    for (const auto& item : journal_items_) result_.journal.push_back(item.record);
  }

  // ---- membership of the runner ----------------------------------------------------------
  void open_observer() {
    if (observer_ && observer_->still_linked()) return;
    try {
      collect_journal();  // what the old segment still had is kept
      observer_ = Observer::open(session_name_);
      journal_from_ = 0;
    } catch (const Error&) {
      observer_.reset();
    }
  }

  void attach() {
    if (tool_) return;
    SessionOptions o;
    o.name = session_name_;
    o.role = RoleRequest::Tool;
    o.create_if_missing = false;
    tool_ = Session::join(o);
    controller_ = std::make_unique<StepController>(*tool_);
    if (scenario_.step_mode) controller_->enable();
  }

  void detach() {
    if (controller_) controller_->disable();
    controller_.reset();
    if (tool_) tool_->leave();
    tool_.reset();
  }

  // ---- instructions ----------------------------------------------------------------------
  bool perform(const ScenarioInstruction& step) {
    if (!result_.failures.empty()) return false;
    const std::string& act = step.action;
    if (act == "step_mode") {
      if (controller_) step.on ? controller_->enable() : controller_->disable();
      runner_event("runner", step.on
                                 ? "The runner turns step mode on: every action waits for a grant."
                                 : "The runner turns step mode off: the processes run freely.");
      return true;
    }
    if (act == "detach") {
      detach();
      explicitly_detached_ = true;
      runner_event("runner",
                   "The runner leaves the session, so it no longer keeps the block alive.");
      return true;
    }
    if (act == "attach") {
      open_observer();
      try {
        attach();
      } catch (const Error& e) {
        fail(step.where + ": the runner could not attach: " + e.what());
        return false;
      }
      runner_event("runner", "The runner joins the session as a tool to step it.");
      return true;
    }
    ActorState* a = actor(step.actor);
    if (a == nullptr) {
      fail(step.where + ": no actor \"" + step.actor + "\"");
      return false;
    }
    if (act == "await")
      return drive([&] { return !a->busy; }, step.where + ": waiting for " + a->spec.name);
    if (act == "run_until" || (act == "kill" && !step.at.empty())) {
      const JournalKind kind = *journal_kind_from_name(step.at);
      const auto pid = static_cast<std::uint32_t>(a->pid);
      bool reached = drive(
          [&] {
            if (a->dead) return true;
            if (!controller_) return false;
            for (const auto& p : controller_->pending())
              if (p.pid == pid && p.kind == kind) return true;
            return false;
          },
          step.where + ": running " + a->spec.name + " to " + step.at);
      if (!reached) return false;
      if (a->dead) {
        fail(step.where + ": " + a->spec.name + " died before reaching " + step.at);
        return false;
      }
      if (act == "run_until") {
        runner_event(a->spec.name,
                     "The " + a->spec.name + " is parked: " +
                         lower_first(narrate_pending(NarrationFacts{kind, role_of(*a), 0, 0, {}})));
        return true;
      }
    }
    if (act == "kill") {
      ::kill(a->pid, SIGKILL);
      int status = 0;
      if (::waitpid(a->pid, &status, 0) == a->pid) mark_dead(*a, status);
      runner_event(a->spec.name,
                   "The runner kills the " + a->spec.name + " with SIGKILL" +
                       (step.at.empty() ? "" : " while it is parked before " + step.at) +
                       ": it gets no chance to clean up.");
      settle();
      return true;
    }
    // An action for the actor's own process.
    if (a->dead) {
      fail(step.where + ": " + a->spec.name + " is dead");
      return false;
    }
    if (a->busy) {
      fail(step.where + ": " + a->spec.name + " is still busy with \"" + a->current.action +
           "\" (await it first)");
      return false;
    }
    send(*a, step);
    if (!step.wait) {
      settle();
      return result_.failures.empty();
    }
    if (!drive([&] { return !a->busy; }, step.where + ": " + a->spec.name + " " + act))
      return false;
    if (act == "join" && joined_once_) {
      open_observer();
      if (!tool_ && !explicitly_detached_) {
        try {
          attach();
        } catch (const Error& e) {
          fail(step.where + ": the runner could not attach: " + e.what());
        }
      }
    }
    return result_.failures.empty();
  }

  Role role_of(const ActorState& a) const {
    if (!have_last_ && !observer_) return Role::None;
    for (const auto& p : (have_last_ ? last_ : observer_->snapshot()).participants)
      if (p.in_use() && p.pid == static_cast<std::uint32_t>(a.pid)) return p.role;
    return Role::None;
  }

  // ---- checks ----------------------------------------------------------------------------
  void evaluate_checks() {
    for (const ScenarioCheck& c : scenario_.checks) {
      std::string problem = check_problem(c);
      if (problem.empty())
        result_.checks_passed.push_back(c.describe());
      else
        fail(c.describe() + ": " + problem);
    }
  }

  std::string check_problem(const ScenarioCheck& c) {
    if (c.check == "result") {
      auto it = results_.find(c.id);
      if (it == results_.end()) return "no step has the id \"" + c.id + "\"";
      const json& r = it->second;
      const json* v = nullptr;
      if (r.contains(c.field))
        v = &r[c.field];
      else if (r.contains("result") && r["result"].contains(c.field))
        v = &r["result"][c.field];
      if (v == nullptr)
        return "the result has no field \"" + c.field + "\" (it is " + r.dump() + ")";
      if (c.equals_json && *v != json::parse(*c.equals_json)) return "it is " + v->dump();
      if ((c.min || c.max) && !v->is_number()) return "it is " + v->dump() + ", not a number";
      if (c.min && v->get<double>() < static_cast<double>(*c.min)) return "it is " + v->dump();
      if (c.max && v->get<double>() > static_cast<double>(*c.max)) return "it is " + v->dump();
      return {};
    }
    if (c.check == "journal") {
      const auto kind = static_cast<std::uint16_t>(*journal_kind_from_name(c.kind));
      std::int64_t n = 0;
      for (const auto& r : result_.journal) n += r.kind == kind ? 1 : 0;
      if ((c.min && n < *c.min) || (c.max && n > *c.max)) return "found " + std::to_string(n);
      return {};
    }
    if (c.check == "segment") {
      struct stat st {};
      const bool exists = ::stat(("/dev/shm/shmscope." + session_name_).c_str(), &st) == 0;
      if (exists != (c.state == "exists")) return exists ? "it still exists" : "it is gone";
      return {};
    }
    if (c.check == "figure") {
      auto it = result_.figures.find(c.figure);
      if (it == result_.figures.end()) return "it was not measured";
      if (!(it->second > 0)) return "it is " + std::to_string(it->second);
      return {};
    }
    if (c.check == "exit") {
      ActorState* a = actor(c.actor);
      if (a == nullptr) return "no such actor";
      if (!a->dead) return "it is still running";
      if (c.min && a->exit_status != *c.min)
        return "it exited with " + std::to_string(a->exit_status);
      return {};
    }
    return "unknown check";
  }

  void fail(const std::string& why) { result_.failures.push_back(why); }

  void shut_down() {
    if (shut_down_) return;
    shut_down_ = true;
    try {
      detach();
    } catch (...) {
    }
    for (auto& a : actors_) {
      if (a.to_fd >= 0) ::close(a.to_fd);  // end of instructions: the actor leaves and exits
      a.to_fd = -1;
    }
    const auto limit = Clock::now() + std::chrono::seconds(2);
    for (auto& a : actors_) {
      while (!a.dead && Clock::now() < limit) {
        reap();
        if (!a.dead) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      if (!a.dead) {
        ::kill(a.pid, SIGKILL);
        int status = 0;
        ::waitpid(a.pid, &status, 0);
        a.dead = true;
      }
      if (a.from_fd >= 0) ::close(a.from_fd);
      a.from_fd = -1;
    }
    observer_.reset();
    // A scenario that killed every member leaves a stale block; do not leave litter behind.
    if (options_.session_name.empty()) ::unlink(("/dev/shm/shmscope." + session_name_).c_str());
  }

  const Scenario& scenario_;
  const ScenarioRunOptions& options_;
  std::string session_name_;
  Clock::time_point watchdog_;
  ScenarioResult result_;
  std::vector<ActorState> actors_;
  std::map<std::string, json> results_;
  std::unique_ptr<Session> tool_;
  std::unique_ptr<StepController> controller_;
  std::unique_ptr<Observer> observer_;
  std::vector<JournalItem> journal_items_;
  std::uint64_t journal_from_ = 0;
  std::uint32_t journal_epoch_ = 0;
  Snapshot last_;
  bool have_last_ = false;
  bool deferring_ = false;
  std::vector<ScenarioStep> deferred_;
  bool joined_once_ = false;
  bool explicitly_detached_ = false;
  bool shut_down_ = false;
  static inline std::atomic<int> counter_{0};
};

}  // namespace

ScenarioResult run_scenario(const Scenario& scenario, const ScenarioRunOptions& options) {
  Runner runner(scenario, options);
  return runner.run();
}

}  // namespace shmipc
