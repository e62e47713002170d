// The journal: a bounded lock-free ring of protocol actions inside the block. Any number of
// processes append (one fetch_add to claim, then a versioned write); readers never block
// writers and learn how many records were overwritten before they could read them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "shmipc/actor.hpp"
#include "shmipc/block.hpp"

namespace shmipc {

struct JournalItem {
  std::uint64_t seq = 0;  // position in the journal, 0 = first record ever
  JournalRecord record{};
};

struct JournalRead {
  std::vector<JournalItem> items;  // in sequence order
  std::uint64_t lost = 0;          // records in [from, next) overwritten or torn before read
  std::uint64_t next = 0;          // pass as `from` next time
};

// Appends one record stamped with the actor's pid/role, the calling thread's tid and now.
// `preview` is truncated to kPreviewBytes (it is a preview, the message itself is elsewhere).
std::uint64_t journal_append(const Actor& who, JournalKind kind, std::uint32_t arg = 0,
                             std::uint64_t value = 0, std::string_view preview = {});
// The same stamped `t_ns` (a monotonic_ns() the caller's protocol step has already read).
std::uint64_t journal_append_at(const Actor& who, std::uint64_t t_ns, JournalKind kind,
                                std::uint32_t arg = 0, std::uint64_t value = 0,
                                std::string_view preview = {});

// Benchmarks only (`shmipc bench --journal off`, tests/bench): with false, journal_append
// writes nothing in this process, to measure what the journal costs a round trip. The monitor
// and every diagnosis depend on the journal: nothing else may switch it off.
void set_journal_enabled_for_benchmark(bool enabled) noexcept;

// Records [from, next) still in a live mapping. A record claimed but not yet written stops
// the read there (`next` points at it, so the next call retries it) unless a record claimed
// after it is over a second old: then its writer is taken for dead and it counts as lost.
JournalRead journal_read(const Block& block, std::uint64_t from);

// The same from a byte copy of a block (a snapshot): every index and version is validated.
JournalRead journal_decode(std::span<const std::byte> raw_block, std::uint64_t from);

std::string_view journal_kind_name(JournalKind kind) noexcept;
std::string_view event_name(EventId e) noexcept;
std::string_view role_name(Role r) noexcept;
std::string_view command_name(Command c) noexcept;
// "waiting for the mutex", "reliable": the words every view (CLI, monitor) uses.
std::string_view activity_name(Activity a) noexcept;
std::string_view mode_name(PeerMode m) noexcept;

}  // namespace shmipc
