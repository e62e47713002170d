// Prints the numbered, narrated steps of a scenario run and its verdict. Exit 0 on PASS,
// 1 on FAIL (the reasons are printed), other codes for a scenario that cannot be run.
#include "scenario_command.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "scenario_recording.hpp"
#include "shmipc/error.hpp"
#include "shmipc/scenario.hpp"
#include "shmipc/trace_export.hpp"

namespace shmcli {

namespace {

constexpr const char* kScenarioUsage = R"(usage: shmipc scenario NAME [--trace FILE.json] [--record FILE] [--quiet]
       shmipc scenario --list

Runs a lesson of the scenario library on real processes in step mode: one action at a time,
each narrated, then the checks of the lesson. NAME is a scenario's name, its number or a path
to a .json file. Scenarios are looked up in $SHMSCOPE_SCENARIOS, then "scenarios" next to
this program, then the source tree (see docs/SCENARIOS.md).

options:
  --list          the scenarios, with their learning goals
  --trace FILE    write the run's journal as Chrome trace JSON (Perfetto, chrome://tracing)
  --record FILE   save the run as a recording (docs/RECORDING.md) to hand to students:
                  shmscope --open FILE replays it, shmipc status --at SECONDS FILE prints it
  --quiet         print only the verdict

exit codes: 0 the scenario passed, 1 it failed (the reasons are printed),
            2 bad command line or scenario file, 6 no such scenario
)";

void print_list() {
  const auto all = shmipc::list_scenarios();
  for (const auto& s : all) {
    std::printf("%2d  %-30s %s\n", s.number, s.name.c_str(), s.title.c_str());
    std::printf("    goal: %s\n", s.goal.c_str());
  }
}

}  // namespace

int run_scenario_command(std::vector<std::string> words) {
  // Arguments knows only options; the scenario's name is the one bare word.
  std::vector<std::string> names, options_only;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if ((words[i] == "--trace" || words[i] == "--record") && i + 1 < words.size()) {
      options_only.push_back(words[i]);
      options_only.push_back(words[++i]);
    } else if (!words[i].starts_with("-")) {
      names.push_back(words[i]);
    } else {
      options_only.push_back(words[i]);
    }
  }
  Arguments args(std::move(options_only));
  if (args.flag("help")) {
    std::fputs(kScenarioUsage, stdout);
    return 0;
  }
  const bool list = args.flag("list");
  const bool quiet = args.flag("quiet");
  const auto trace = args.value("trace");
  const auto record = args.value("record");
  args.finish();
  if (list) {
    print_list();
    return 0;
  }
  if (names.size() != 1)
    throw shmipc::Error(shmipc::ErrorCode::Usage, "give one scenario name (or --list)");
  const shmipc::Scenario scenario = shmipc::find_scenario(names.front());

  std::printf("Scenario %d: %s\nGoal: %s\nExpected: %s\n\n", scenario.number,
              scenario.title.c_str(), scenario.goal.c_str(), scenario.expected.c_str());
  std::fflush(stdout);
  shmipc::ScenarioRunOptions options;
  if (!quiet) {
    options.on_step = [](const shmipc::ScenarioStep& step) {
      std::printf("%3d. [%s] %s\n", step.number, step.actor.c_str(), step.narration.c_str());
      std::fflush(stdout);
    };
  }
  std::unique_ptr<ScenarioRecording> recording;
  if (record) {
    options.session_name = scenario_recording_session(scenario.name);
    recording = std::make_unique<ScenarioRecording>(options.session_name, *record);
  }
  const shmipc::ScenarioResult result = shmipc::run_scenario(scenario, options);
  if (recording) {
    const auto summary = recording->finish();
    std::printf("\nRecording written to %s (%s)\n", record->c_str(), summary.c_str());
  }
  if (!result.figures.empty()) {
    std::printf("\nMeasured:\n");
    for (const auto& [name, value] : result.figures)
      std::printf("  %-28s %12.1f\n", name.c_str(), value);
  }
  if (trace) {
    std::ofstream out(*trace);
    if (!out) throw shmipc::Error(shmipc::ErrorCode::System, "cannot write " + *trace);
    out << shmipc::chrome_trace_json(result.journal, result.actor_of_pid);
    std::printf("\nTrace written to %s (open it in https://ui.perfetto.dev or chrome://tracing)\n",
                trace->c_str());
  }
  std::printf("\n");
  for (const auto& c : result.checks_passed) std::printf("  ok    %s\n", c.c_str());
  for (const auto& f : result.failures) std::printf("  FAIL  %s\n", f.c_str());
  std::printf("\n%s: %s\n", result.passed ? "PASS" : "FAIL", scenario.name.c_str());
  return result.passed ? 0 : 1;
}

}  // namespace shmcli
