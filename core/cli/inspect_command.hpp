// `shmipc inspect NAME --type T --from BIN`: any program's shared memory decoded through its
// debug info (or a layout file), once or live. Uses the shminspect library, not the protocol.
#pragma once

#include <string>
#include <vector>

namespace shmcli {

// Takes the words after "inspect" (its NAME is a bare word, which Arguments does not parse).
int run_inspect_command(std::vector<std::string> words);

}  // namespace shmcli
