// The commands on recordings (docs/RECORDING.md), built on the shmscope_record library:
// `record` saves a live session, `status --at` and `export` read a saved one.
#pragma once

#include <string>
#include <vector>

namespace shmcli {

int run_record(std::vector<std::string> words);
// `status --at SECONDS FILE [--json]`: the words after "status".
int run_status_at(std::vector<std::string> words);
int run_export(std::vector<std::string> words);

// Splits bare words (FILE) from options; `with_value` lists the options that take a value.
std::vector<std::string> take_bare_words(std::vector<std::string>& words,
                                         const std::vector<std::string>& with_value);

}  // namespace shmcli
