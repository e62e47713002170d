// A zeroed block in private memory with a valid header, for tests that feed the tracker copies
// of a block without a session: fill it with the library's own writers, then copy() it.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "shmipc/actor.hpp"
#include "shmipc/block.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/snapshot.hpp"

namespace metricstest {

class BlockBytes {
 public:
  explicit BlockBytes(std::uint64_t created_ns = 1000) {
    void* p = ::mmap(nullptr, sizeof(shmipc::Block), PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) std::abort();
    block_ = static_cast<shmipc::Block*>(p);
    auto& h = block_->header;
    h.magic = shmipc::kBlockMagic;
    h.layout_version = shmipc::kLayoutVersion;
    h.block_size = sizeof(shmipc::Block);
    h.creator_pid = static_cast<std::uint32_t>(::getpid());
    h.created_monotonic_ns = created_ns;
    h.created_realtime_ns = created_ns;
    h.init_state.store(shmipc::kInitReady);
  }
  ~BlockBytes() { ::munmap(block_, sizeof(shmipc::Block)); }
  BlockBytes(const BlockBytes&) = delete;
  BlockBytes& operator=(const BlockBytes&) = delete;

  shmipc::Block& operator*() const { return *block_; }
  shmipc::Block* operator->() const { return block_; }

  // Appends one record as `role` with the given time.
  void record(shmipc::JournalKind kind, std::uint64_t t_ns, std::uint32_t arg = 0,
              std::uint64_t value = 0) {
    const shmipc::Actor who{block_, shmipc::Role::Parent, static_cast<std::uint32_t>(::getpid()),
                            -1};
    shmipc::journal_append_at(who, t_ns, kind, arg, value);
  }

  shmipc::Snapshot copy() const {
    std::vector<std::byte> raw(sizeof(shmipc::Block));
    std::memcpy(raw.data(), block_, raw.size());
    return shmipc::decode_snapshot(raw);
  }

 private:
  shmipc::Block* block_ = nullptr;
};

}  // namespace metricstest
