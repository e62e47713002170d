#include "app/step_drivers.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>

#include "app/demo_processes.hpp"
#include "panels/view_text.hpp"
#include "shmipc/clock.hpp"
#include "shmipc/error.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/narration.hpp"
#include "shmipc/observer.hpp"
#include "shmipc/session.hpp"
#include "shmipc/session_name.hpp"

namespace shmscope {

namespace {

using namespace std::chrono_literals;

// The gate protocol gives a driver no word to sleep on (a parking peer only publishes
// step_pending), so the list of parked peers is refreshed at this period while paused.
constexpr auto kPendingRefresh = 40ms;
constexpr std::size_t kMaxLiveSteps = 5000;

// Thrown out of the runner's on_step callback to end a run the user abandoned; the runner
// unwinds and its destructor kills the scenario's processes.
struct ScenarioAbandoned {};

const shmipc::PendingAction* oldest_alive(const std::vector<shmipc::PendingAction>& pending) {
  for (const auto& p : pending)
    if (p.alive) return &p;
  return nullptr;
}

}  // namespace

void Pacer::grant(int slot) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    grants_.push_back(slot);
  }
  cv_.notify_all();
}

void Pacer::set_pacing(Pacing p, int slow_motion_ms) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_.pacing = p;
    if (slow_motion_ms > 0) state_.slow_motion_ms = slow_motion_ms;
    next_slow_ns_ = 0;
  }
  cv_.notify_all();
}

DriverState Pacer::state() {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

std::vector<shmipc::ScenarioStep> Pacer::take_new_steps() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<shmipc::ScenarioStep> out;
  out.swap(outbox_);
  return out;
}

// ---- live step mode ------------------------------------------------------------------------

LiveStepDriver::LiveStepDriver(std::string session) {
  state_.running = true;
  thread_ = std::thread([this, session] { loop(session); });
}

LiveStepDriver::~LiveStepDriver() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void LiveStepDriver::loop(std::string name) {
  std::unique_ptr<shmipc::Session> tool;
  std::unique_ptr<shmipc::StepController> controller;
  try {
    shmipc::SessionOptions opts;
    opts.name = name;
    opts.role = shmipc::RoleRequest::Tool;
    opts.create_if_missing = false;
    tool = shmipc::Session::join(opts);
    auto observer = shmipc::Observer::open(name);
    controller = std::make_unique<shmipc::StepController>(*tool);
    controller->enable();
    std::size_t recorded = 0;
    std::uint64_t kept_snapshots = 0;
    for (;;) {
      std::vector<int> asked;
      Pacing pacing;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait_for(lock, kPendingRefresh, [&] { return stop_ || !grants_.empty(); });
        if (stop_) break;
        asked.swap(grants_);
        pacing = state_.pacing;
      }
      tool->heartbeat();
      std::vector<shmipc::PendingAction> pending = controller->pending();
      if (pacing != Pacing::Paused && oldest_alive(pending) == nullptr) {
        // Running: sleep until someone parks (bounded, so stop and pause are noticed).
        controller->wait_for_pending(shmipc::deadline_after(kPendingRefresh));
        pending = controller->pending();
      }
      std::vector<shmipc::PendingAction> to_grant;
      for (int slot : asked) {
        for (const auto& p : pending) {
          if (p.alive && (slot < 0 ? true : p.slot == slot)) {
            to_grant.push_back(p);
            break;
          }
        }
      }
      const std::uint64_t now = shmipc::monotonic_ns();
      const shmipc::PendingAction* next = oldest_alive(pending);
      if (to_grant.empty() && next != nullptr) {
        std::lock_guard<std::mutex> lock(mu_);
        if (pacing == Pacing::Running || pacing == Pacing::RunToEvent) {
          to_grant.push_back(*next);
          if (pacing == Pacing::RunToEvent && next->kind == shmipc::JournalKind::EventSet)
            state_.pacing = Pacing::Paused;
        } else if (pacing == Pacing::SlowMotion && now >= next_slow_ns_) {
          to_grant.push_back(*next);
          next_slow_ns_ = now + static_cast<std::uint64_t>(state_.slow_motion_ms) * 1'000'000ULL;
        }
      }
      for (const shmipc::PendingAction& a : to_grant) {
        const shmipc::Snapshot before = observer->snapshot();
        if (!controller->grant(a.slot)) continue;
        // Let the action happen: the peer acts and parks again at its next gate (or starts
        // waiting); bounded, a peer that blocks elsewhere is snapshotted as it is.
        shmipc::Snapshot after;
        const auto until = std::chrono::steady_clock::now() + 40ms;
        do {
          std::this_thread::sleep_for(200us);
          after = observer->snapshot();
          const auto& p = after.participants[static_cast<std::size_t>(a.slot)];
          if (p.step_pending != shmipc::JournalKind::None && p.step_grants == p.step_taken &&
              after.journal_next > before.journal_next)
            break;
        } while (std::chrono::steady_clock::now() < until);
        shmipc::ScenarioStep step;
        step.number = static_cast<int>(++recorded);
        step.granted = true;
        step.actor = std::string(role_word(a.role));
        step.slot = a.slot;
        step.role = a.role;
        step.kind = a.kind;
        step.arg = a.arg;
        step.narration = shmipc::narrate_pending(a);
        for (const auto& item : shmipc::journal_decode(after.raw, before.journal_next).items) {
          if (item.record.pid == a.pid && item.record.kind == static_cast<std::uint16_t>(a.kind)) {
            step.narration = shmipc::narrate_record(item.record);
            break;
          }
        }
        if (kept_snapshots < shmipc::kMaxKeptSnapshots) {
          step.snapshot = std::move(after);
          step.has_snapshot = true;
          ++kept_snapshots;
        }
        std::lock_guard<std::mutex> lock(mu_);
        if (recorded <= kMaxLiveSteps) outbox_.push_back(std::move(step));
      }
      if (!to_grant.empty()) pending = controller->pending();
      std::lock_guard<std::mutex> lock(mu_);
      state_.pending = std::move(pending);
    }
    controller->disable();
  } catch (const std::exception& e) {
    if (controller) {
      try {
        controller->disable();
      } catch (const std::exception&) {
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    state_.error = std::string("step mode: ") + e.what();
  }
  std::lock_guard<std::mutex> lock(mu_);
  state_.running = false;
  state_.pending.clear();
}

// ---- scenarios -----------------------------------------------------------------------------

ScenarioPlayer::ScenarioPlayer(shmipc::Scenario scenario) : scenario_(std::move(scenario)) {
  state_.running = true;
  thread_ = std::thread([this] {
    // Named here, so that a monitor ended by exit() (Xlib, when its X server dies) or a crash
    // removes the segment too; the runner leaves a name it was given to its caller.
    static std::atomic<int> runs{0};
    shmipc::ScenarioRunOptions opts;
    opts.session_name = "scn-" + scenario_.name.substr(0, 40) + "-" + std::to_string(::getpid()) +
                        "-m" + std::to_string(runs++);
    opts.on_step = [this](const shmipc::ScenarioStep& s) { hold_after(s); };
    register_scenario_for_crash_cleanup(opts.session_name);
    std::optional<shmipc::ScenarioResult> result;
    std::string error;
    try {
      result = shmipc::run_scenario(scenario_, opts);
    } catch (const ScenarioAbandoned&) {
      error = "stopped";
    } catch (const std::exception& e) {
      error = std::string("the scenario could not run: ") + e.what();
    }
    // A scenario that killed every member leaves a stale block: no litter behind.
    ::shm_unlink(shmipc::segment_name(opts.session_name).c_str());
    register_scenario_for_crash_cleanup("");
    std::lock_guard<std::mutex> lock(mu_);
    state_.result = std::move(result);
    state_.error = error;
    state_.running = false;
    state_.waiting = false;
    state_.pending.clear();
  });
}

ScenarioPlayer::~ScenarioPlayer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ScenarioPlayer::hold_after(const shmipc::ScenarioStep& step) {
  std::unique_lock<std::mutex> lock(mu_);
  outbox_.push_back(step);
  if (step.has_snapshot) state_.pending = parked_in_snapshot(step.snapshot);
  if (state_.pacing == Pacing::RunToEvent && step.granted &&
      step.kind == shmipc::JournalKind::EventSet)
    state_.pacing = Pacing::Paused;
  state_.waiting = true;
  for (;;) {
    if (stop_) throw ScenarioAbandoned{};
    if (!grants_.empty()) {
      grants_.erase(grants_.begin());
      break;
    }
    if (state_.pacing == Pacing::Running || state_.pacing == Pacing::RunToEvent) break;
    if (state_.pacing == Pacing::SlowMotion) {
      const std::uint64_t now = shmipc::monotonic_ns();
      if (next_slow_ns_ == 0) next_slow_ns_ = now;
      if (now >= next_slow_ns_) {
        next_slow_ns_ = now + static_cast<std::uint64_t>(state_.slow_motion_ms) * 1'000'000ULL;
        break;
      }
      cv_.wait_for(lock, std::chrono::nanoseconds(next_slow_ns_ - now));
      continue;
    }
    cv_.wait(lock);
  }
  state_.waiting = false;
}

}  // namespace shmscope
