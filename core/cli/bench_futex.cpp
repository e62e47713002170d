// The raw rows of `shmipc bench`: two processes hand a message back and forth through a
// shared mapping and one futex word per direction, with nothing else (no mutex, no journal,
// no checksum). "futex" sleeps as soon as the word has not changed; "futex-spin" first runs
// shmipc's own adaptive spin (the floor of a blocking hand-off); "busy-spin" never sleeps
// (the floor of any hand-off, meaningful only with each process on its own CPU).
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <new>

#include "bench_rows.hpp"
#include "shmipc/adaptive_spin.hpp"
#include "shmipc/block.hpp"
#include "shmipc/error.hpp"

namespace shmcli::bench {

namespace {

// One direction's words, each side on its own cache line.
struct alignas(64) Side {
  std::atomic<std::uint32_t> word{0};      // messages posted to this side (the futex word)
  std::atomic<std::uint32_t> sleeping{0};  // 1 while this side is (about to be) in futex_wait
  std::atomic<std::uint32_t> cpu{shmipc::kUnknownCpu};  // published as a ParticipantSlot's
  std::atomic<std::uint32_t> run_state{0};
};

struct FutexShared {
  Side sides[2];  // 0 the timing side, 1 the echo
  alignas(64) std::atomic<std::uint32_t> quit{0};
  char data[shmipc::kDataCapacity];
};

void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected) {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT, expected, nullptr,
            nullptr, 0);
}
void futex_wake(std::atomic<std::uint32_t>& word) {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE, 1, nullptr, nullptr, 0);
}

void set_state(Side& me, shmipc::RunState s, std::uint32_t cpu) {
  if (cpu != shmipc::kUnknownCpu) me.cpu.store(cpu, std::memory_order_relaxed);
  me.run_state.store(static_cast<std::uint32_t>(s), std::memory_order_release);
}

// Returns once `me.word` differs from `seen`.
void wait_for(FutexKind kind, Side& me, const Side& partner, std::uint32_t seen) {
  auto changed = [&] { return me.word.load(std::memory_order_acquire) != seen; };
  if (changed()) return;
  if (kind == FutexKind::BusySpin) {
    while (!changed()) shmipc::cpu_relax();
    return;
  }
  if (kind == FutexKind::AdaptiveSpin) {
    const shmipc::SpinPolicy policy = shmipc::spin_policy();
    const shmipc::PartnerWords words{&partner.cpu, &partner.run_state};
    const std::uint32_t cpu = shmipc::current_cpu();
    if (policy.budget_ns > 0 && shmipc::worth_spinning(words, cpu, policy.mode)) {
      set_state(me, shmipc::RunState::Spinning, cpu);
      if (shmipc::spin_until(changed, words, policy, 0)) {
        set_state(me, shmipc::RunState::Running, shmipc::current_cpu());
        return;
      }
    }
    set_state(me, shmipc::RunState::Blocked, shmipc::kUnknownCpu);
  }
  while (!changed()) {
    // Dekker with post(): either we see its new word here or it sees sleeping == 1.
    me.sleeping.store(1, std::memory_order_seq_cst);
    if (me.word.load(std::memory_order_seq_cst) != seen) break;
    futex_wait(me.word, seen);
  }
  me.sleeping.store(0, std::memory_order_relaxed);
  if (kind == FutexKind::AdaptiveSpin)
    set_state(me, shmipc::RunState::Running, shmipc::current_cpu());
}

void post(FutexKind kind, Side& to) {
  to.word.fetch_add(1, std::memory_order_seq_cst);
  if (kind == FutexKind::BusySpin || to.sleeping.load(std::memory_order_seq_cst) == 0) return;
  if (kind == FutexKind::AdaptiveSpin) {
    // As Events::set does: the one we wake is about to run, so our next wait may spin for it.
    std::uint32_t blocked = static_cast<std::uint32_t>(shmipc::RunState::Blocked);
    to.run_state.compare_exchange_strong(blocked,
                                         static_cast<std::uint32_t>(shmipc::RunState::Running));
  }
  futex_wake(to.word);
}

const char* mechanism_name(FutexKind kind) {
  switch (kind) {
    case FutexKind::BlockAtOnce:
      return "futex";
    case FutexKind::AdaptiveSpin:
      return "futex-spin";
    case FutexKind::BusySpin:
      return "busy-spin";
  }
  return "?";
}

}  // namespace

Row bench_futex(FutexKind kind, const RowSpec& spec) {
  void* mem = ::mmap(nullptr, sizeof(FutexShared), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) shmipc::throw_errno("mmap", errno);
  auto* shared = new (mem) FutexShared;
  Side& sender = shared->sides[0];
  Side& echo = shared->sides[1];
  const std::size_t bytes = std::min(spec.bytes, shmipc::kDataCapacity);

  const pid_t helper = fork_helper(*spec.cpus, spec.echo_cpu, [&] {
    set_state(echo, shmipc::RunState::Running, shmipc::current_cpu());
    char copy[shmipc::kDataCapacity];
    std::uint32_t seen = 0;
    while (true) {
      wait_for(kind, echo, sender, seen);
      seen = echo.word.load(std::memory_order_acquire);
      if (shared->quit.load(std::memory_order_acquire) != 0) return 0;
      std::memcpy(copy, shared->data, bytes);
      post(kind, sender);
    }
  });
  set_state(sender, shmipc::RunState::Running, shmipc::current_cpu());
  const std::string text = payload(bytes);
  Row row = time_round_trips(mechanism_name(kind), spec, [&] {
    const std::uint32_t seen = sender.word.load(std::memory_order_acquire);
    std::memcpy(shared->data, text.data(), bytes);
    post(kind, echo);
    wait_for(kind, sender, echo, seen);
  });
  shared->quit.store(1, std::memory_order_release);
  post(kind, echo);
  reap(helper);
  shared->~FutexShared();
  ::munmap(mem, sizeof(FutexShared));
  return row;
}

}  // namespace shmcli::bench
