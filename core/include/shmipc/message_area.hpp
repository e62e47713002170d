// The versioned write of the message area (docs/PROTOCOL.md, "Versioned write"): only the
// mutex holder writes, and a reader without the mutex can tell a consistent copy from a torn
// one. Construct after acquiring the mutex; the destructor publishes.
#pragma once

#include <atomic>
#include <cstdint>

#include "shmipc/block.hpp"

namespace shmipc {

class VersionedWrite {
 public:
  explicit VersionedWrite(MessageArea& area) noexcept : area_(area) {
    generation_ = area_.version_tail.load(std::memory_order_relaxed) + 1;
    area_.version_tail.store(generation_, std::memory_order_relaxed);
    // The tail must be visible before any field changes, or a reader could pair the old
    // tail with new fields.
    std::atomic_thread_fence(std::memory_order_seq_cst);
  }
  ~VersionedWrite() { area_.version_head.store(generation_, std::memory_order_release); }
  VersionedWrite(const VersionedWrite&) = delete;
  VersionedWrite& operator=(const VersionedWrite&) = delete;

 private:
  MessageArea& area_;
  std::uint64_t generation_;
};

inline bool message_area_consistent(const MessageArea& area) noexcept {
  return area.version_head.load(std::memory_order_acquire) ==
         area.version_tail.load(std::memory_order_acquire);
}

}  // namespace shmipc
