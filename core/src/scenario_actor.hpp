// One forked actor of a scenario run: a real peer process that reads instructions (one JSON
// object per line) from the runner, performs them with the ordinary library (Session,
// ChildPeer, ParentPeer, RobustMutex, Events) and answers with one JSON line per instruction.
// In step mode every protocol action it performs parks at its gate until the runner grants it.
#pragma once

#include <string>

#include "shmipc/scenario.hpp"

namespace shmipc::scenario_detail {

// Runs until `in_fd` reaches end of file, then leaves the session. Returns the exit code.
int actor_main(const ScenarioActor& actor, const std::string& session_name, int in_fd, int out_fd);

}  // namespace shmipc::scenario_detail
