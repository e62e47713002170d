// `shmscope --segment NAME | --file PATH` with `--type T --from BIN` or `--layout FILE`: the
// window for any program's shared memory (monitor/inspect/), and `shmscope --segments`.
#pragma once

#include "app/options.hpp"

namespace shmscope::inspect {

int run_inspect(const AppOptions& options);
int print_segments();

// Starts `shmscope --segment NAME` beside this process (from the Sessions menu).
void open_segment_window(const std::string& name);

}  // namespace shmscope::inspect
