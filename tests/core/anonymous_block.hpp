// A zeroed Block in an anonymous MAP_SHARED mapping: shared with every child forked after it
// is made, no session or name needed. For unit tests of the sync primitives and the journal.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>

#include "shmipc/actor.hpp"
#include "shmipc/auto_reset_event.hpp"
#include "shmipc/block.hpp"
#include "shmipc/robust_mutex.hpp"

namespace shmtest {

class AnonymousBlock {
 public:
  AnonymousBlock() {
    void* p = ::mmap(nullptr, sizeof(shmipc::Block), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) std::abort();
    // Like a freshly ftruncated segment: all zeroes, then the creator's initialisation.
    block_ = static_cast<shmipc::Block*>(p);
    shmipc::Events::initialize(*block_);
    shmipc::RobustMutex::initialize(block_->mutex);
  }
  ~AnonymousBlock() { ::munmap(block_, sizeof(shmipc::Block)); }
  AnonymousBlock(const AnonymousBlock&) = delete;
  AnonymousBlock& operator=(const AnonymousBlock&) = delete;

  shmipc::Block& operator*() const { return *block_; }
  shmipc::Block* operator->() const { return block_; }
  shmipc::Block* get() const { return block_; }

  // An actor for the calling process (call it after fork in a child: it takes getpid()).
  shmipc::Actor actor(shmipc::Role role, int slot = -1) const {
    return shmipc::Actor{block_, role, static_cast<std::uint32_t>(::getpid()), slot};
  }

 private:
  shmipc::Block* block_ = nullptr;
};

}  // namespace shmtest
