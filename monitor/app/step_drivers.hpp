// The two things that grant step-mode actions for the monitor, each on its own thread so a
// slow peer never freezes the UI:
//  - LiveStepDriver: joins the attached session as a Tool, turns step mode on and grants the
//    parked peers' actions through shmipc::StepController, keeping a snapshot after each;
//  - ScenarioPlayer: runs a scenario (shmipc::run_scenario) and holds it after every step
//    until the user grants the next one (the runner's on_step callback blocks).
// Both are told how to pace (step / run / pause / run to next event / slow motion) and hand
// their new steps to the UI thread, which owns the kept list.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "model/classroom_model.hpp"
#include "shmipc/scenario.hpp"
#include "shmipc/step_controller.hpp"

namespace shmscope {

struct DriverState {
  bool running = false;  // the thread is working (joined / the scenario runs)
  bool waiting = false;  // ScenarioPlayer: held after a step, waiting for a grant
  Pacing pacing = Pacing::Paused;
  int slow_motion_ms = 800;
  std::vector<shmipc::PendingAction> pending;
  std::string error;
  std::optional<shmipc::ScenarioResult> result;  // ScenarioPlayer, once finished
};

// Pacing commands shared by both drivers.
class Pacer {
 public:
  void grant(int slot = -1);
  void set_pacing(Pacing p, int slow_motion_ms = 0);

 protected:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::vector<int> grants_;  // slots (< 0: oldest)
  DriverState state_;
  std::vector<shmipc::ScenarioStep> outbox_;
  std::uint64_t next_slow_ns_ = 0;

 public:
  DriverState state();
  std::vector<shmipc::ScenarioStep> take_new_steps();
};

class LiveStepDriver : public Pacer {
 public:
  explicit LiveStepDriver(std::string session);
  ~LiveStepDriver();  // turns step mode off (every parked peer is released), leaves
  LiveStepDriver(const LiveStepDriver&) = delete;
  LiveStepDriver& operator=(const LiveStepDriver&) = delete;

 private:
  void loop(std::string session);
  std::thread thread_;
};

class ScenarioPlayer : public Pacer {
 public:
  explicit ScenarioPlayer(shmipc::Scenario scenario);
  ~ScenarioPlayer();  // aborts a run still going (its processes are killed by the runner)
  ScenarioPlayer(const ScenarioPlayer&) = delete;
  ScenarioPlayer& operator=(const ScenarioPlayer&) = delete;
  const shmipc::Scenario& scenario() const { return scenario_; }

 private:
  void hold_after(const shmipc::ScenarioStep& step);
  shmipc::Scenario scenario_;
  std::thread thread_;
};

}  // namespace shmscope
