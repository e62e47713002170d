// Runs a piece of work in a forked child with bounded memory and time, and brings back its
// result as a list of strings or its InspectError. Used for reading DWARF: libdw 0.188 is not
// hardened against every hostile ELF (fuzzing found reads past buffers and multi-gigabyte
// allocations in it), so whatever a crafted file does to the reader, the caller (the monitor,
// `shmipc inspect`) only ever sees an error naming the file.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace shminspect {

struct IsolationLimits {
  std::chrono::milliseconds timeout{20000};
  // Address space of the child (not applied under AddressSanitizer, whose shadow memory alone
  // is larger). 0: no limit.
  std::uint64_t memory_bytes = 0;
};

// `what` names the work in error messages ("reading the DWARF of ./app"). Throws InspectError:
// the child's own error (same kind and text), or System when the child crashed, ran out of time
// or memory, or returned something malformed.
std::vector<std::string> run_isolated(const std::string& what, const IsolationLimits& limits,
                                      const std::function<std::vector<std::string>()>& work);

}  // namespace shminspect
