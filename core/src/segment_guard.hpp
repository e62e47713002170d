// Peers map the block, so a segment that another process of the same user shrinks under
// them turns their next access to the lost pages into SIGBUS. The periodic checks
// (Session::verify_segment) catch a shrink between steps; this catches one in the middle of
// a step: a SIGBUS whose address lies in a registered mapping ends the process with exit code
// 8 (block corrupt) and a message naming the segment and its size now, instead of a crash.
// Any other SIGBUS goes to the handler we replaced (an application's, a sanitizer's) or to the
// default action.
#pragma once

#include <cstddef>
#include <string>

namespace shmipc::detail {

// Registers [addr, addr + size) as the mapping of `path` (read through descriptor `fd` when
// reporting). At most 16 mappings at once; more are not guarded.
void guard_mapping(const void* addr, std::size_t size, int fd, const std::string& path) noexcept;
void unguard_mapping(const void* addr) noexcept;

}  // namespace shmipc::detail
