// `shmipc scenario NAME | --list`: runs a lesson of the scenario library headless.
#pragma once

#include <string>
#include <vector>

#include "arguments.hpp"

namespace shmcli {

// Takes the words after "scenario" (its NAME is a bare word, which Arguments does not parse).
int run_scenario_command(std::vector<std::string> words);

}  // namespace shmcli
