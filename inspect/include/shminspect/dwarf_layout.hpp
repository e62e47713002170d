// Reads a struct's layout from the DWARF debug info of an ELF file (executable, shared
// library, object file or separate debug file) with elfutils' libdw. Never touches the network:
// debuginfod is not consulted (DEBUGINFOD_URLS is unset for the call).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "shminspect/layout.hpp"

namespace shminspect {

struct DwarfOptions {
  // Look for a separate debug file by build-id under /usr/lib/debug (and .gnu_debuglink) when
  // the ELF itself carries no DWARF.
  bool find_separate_debug = true;
  // Read the file in a forked child with bounded time and memory (below), so that a damaged or
  // crafted ELF that trips libdw costs an error message, never the caller's process. Off only
  // for the fuzz target, which wants to see such failures.
  bool isolate = true;
  unsigned timeout_seconds = 20;
  // The child's address-space limit: this plus three times the file's size.
  std::uint64_t memory_base_bytes = 1ull << 30;
  // A DAG of struct types expands into a tree: past this many fields the rest are named
  // "(not expanded: over N fields)". Far beyond any real shared block; it keeps a crafted one at
  // a few MB (200,000 took 840 MB and seconds under ASan).
  std::size_t max_fields = 20'000;
};

// `qualified_type_name` is the C++ name with its namespaces ("ns::Block", "Block"); a struct,
// class, union or typedef of one. Throws InspectError:
//   NotFound (with close matches), Ambiguous (two different definitions of the name),
//   BadElf (not an ELF, truncated, no DWARF), Unsupported (zstd-compressed debug sections),
//   System (the isolated reader crashed, ran out of time or memory: the file is damaged).
Layout load_layout_from_dwarf(const std::string& elf_path, const std::string& qualified_type_name,
                              const DwarfOptions& options = {});

// Every named struct/class/union type in the file (qualified names, sorted, unique): for
// pickers and for "did you mean".
std::vector<std::string> list_dwarf_types(const std::string& elf_path,
                                          const DwarfOptions& options = {});

// The ELF's GNU build-id as hex, or "" if none.
std::string elf_build_id(const std::string& elf_path);

}  // namespace shminspect
