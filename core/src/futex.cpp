#include "futex.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "shmipc/error.hpp"

namespace shmipc {

namespace {
static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));

std::uint32_t* futex_word(std::atomic<std::uint32_t>& word) noexcept {
  return reinterpret_cast<std::uint32_t*>(&word);
}

timespec to_timespec(std::chrono::steady_clock::time_point t) noexcept {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  if (ns < 0) ns = 0;
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  return ts;
}
}  // namespace

bool futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected, Deadline deadline) {
  timespec ts{};
  timespec* timeout = nullptr;
  if (deadline) {
    ts = to_timespec(*deadline);
    timeout = &ts;
  }
  // FUTEX_WAIT_BITSET takes an absolute timeout, on CLOCK_MONOTONIC unless
  // FUTEX_CLOCK_REALTIME is given: a wall-clock jump cannot stretch or cut the wait, and
  // EINTR restarts cannot accumulate drift.
  long rc = ::syscall(SYS_futex, futex_word(word), FUTEX_WAIT_BITSET, expected, timeout, nullptr,
                      FUTEX_BITSET_MATCH_ANY);
  if (rc == 0) return true;
  int err = errno;
  switch (err) {
    case ETIMEDOUT:
      return false;
    case EAGAIN:  // the word had already changed
    case EINTR:
      return true;
    case EFAULT:  // the page under the word is gone: the segment was shrunk under us
      throw Error(ErrorCode::Corrupt,
                  "an event word of the block is no longer backed by the shared segment (another "
                  "process shrank it); stopping");
    default:
      throw_errno("futex(FUTEX_WAIT_BITSET)", err);
  }
}

int futex_wake(std::atomic<std::uint32_t>& word, int count) noexcept {
  long rc = ::syscall(SYS_futex, futex_word(word), FUTEX_WAKE, count, nullptr, nullptr, 0);
  return rc < 0 ? 0 : static_cast<int>(rc);
}

}  // namespace shmipc
