#include "segment_guard.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <mutex>

#include "shmipc/block.hpp"

namespace shmipc::detail {

namespace {

struct Guarded {
  std::atomic<std::uintptr_t> begin{0};
  std::atomic<std::uintptr_t> end{0};  // 0: the entry is free
  std::atomic<int> fd{-1};
  char path[128] = {};
};

constexpr std::size_t kEntries = 16;
Guarded g_entries[kEntries];
std::mutex g_registry;  // serialises registration; the handler only reads the atomics
struct sigaction g_previous {};  // the SIGBUS action we replaced, to pass other faults on

// Async-signal-safe output: write(2) of pieces, numbers formatted by hand.
void put(const char* text) noexcept {
  std::size_t n = 0;
  while (text[n] != '\0') ++n;
  while (n > 0) {
    ssize_t w = ::write(2, text, n);
    if (w <= 0) return;
    text += w;
    n -= static_cast<std::size_t>(w);
  }
}

void put_number(unsigned long long v) noexcept {
  char buf[24];
  char* p = buf + sizeof buf;
  *--p = '\0';
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  put(p);
}

void on_sigbus(int sig, siginfo_t* info, void* context) {
  const auto addr = reinterpret_cast<std::uintptr_t>(info->si_addr);
  for (const Guarded& g : g_entries) {
    const std::uintptr_t end = g.end.load(std::memory_order_acquire);
    if (end == 0 || addr < g.begin.load(std::memory_order_relaxed) || addr >= end) continue;
    struct stat st {};
    const bool sized = ::fstat(g.fd.load(std::memory_order_relaxed), &st) == 0;
    put("shmipc: block corrupt: the segment ");
    put(g.path);
    put(" was shrunk by another process while this process used it (");
    if (sized) {
      put("it is now ");
      put_number(static_cast<unsigned long long>(st.st_size));
      put(" bytes; ");
    }
    put("the block is ");
    put_number(sizeof(Block));
    put(" bytes; an access at offset ");
    put_number(addr - g.begin.load(std::memory_order_relaxed));
    put(" faulted with SIGBUS): stopping\n");
    ::_exit(8);  // ErrorCode::Corrupt; the kernel releases our locks and robust mutex
  }
  // Not ours: whoever handled SIGBUS before us (a sanitizer, the host program) gets it, or
  // the default action does, as if we had never been installed.
  if ((g_previous.sa_flags & SA_SIGINFO) != 0 && g_previous.sa_sigaction != nullptr) {
    g_previous.sa_sigaction(sig, info, context);
    return;
  }
  if (g_previous.sa_handler == SIG_IGN) return;
  if (g_previous.sa_handler != SIG_DFL) {
    g_previous.sa_handler(sig);
    return;
  }
  ::signal(sig, SIG_DFL);
  if (info->si_code <= 0) ::raise(sig);  // sent by kill(), not by a fault: re-raise it now
}

void install_once() noexcept {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGBUS, &sa, &g_previous);
  });
}

}  // namespace

void guard_mapping(const void* addr, std::size_t size, int fd, const std::string& path) noexcept {
  install_once();
  std::lock_guard<std::mutex> lock(g_registry);
  for (Guarded& g : g_entries) {
    if (g.end.load(std::memory_order_relaxed) != 0) continue;
    const std::size_t n = std::min(path.size(), sizeof g.path - 1);
    std::memcpy(g.path, path.data(), n);
    g.path[n] = '\0';
    g.fd.store(fd, std::memory_order_relaxed);
    g.begin.store(reinterpret_cast<std::uintptr_t>(addr), std::memory_order_relaxed);
    g.end.store(reinterpret_cast<std::uintptr_t>(addr) + size, std::memory_order_release);
    return;
  }
}

void unguard_mapping(const void* addr) noexcept {
  std::lock_guard<std::mutex> lock(g_registry);
  for (Guarded& g : g_entries) {
    if (g.end.load(std::memory_order_relaxed) == 0 ||
        g.begin.load(std::memory_order_relaxed) != reinterpret_cast<std::uintptr_t>(addr))
      continue;
    g.end.store(0, std::memory_order_release);
    g.fd.store(-1, std::memory_order_relaxed);
  }
}

}  // namespace shmipc::detail
