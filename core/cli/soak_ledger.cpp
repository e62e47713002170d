#include "soak_ledger.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <cstdio>
#include <new>

#include "shmipc/error.hpp"

namespace shmcli::soak {

Shared map_ledger(std::uint64_t n) {
  Shared s;
  const std::size_t arrays_at = sizeof(Ledger) + ((2 * n + 7) & ~std::size_t{7});
  s.bytes = arrays_at + 12 * n;
  void* mem = ::mmap(nullptr, s.bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) shmipc::throw_errno("mmap of the soak ledger", errno);
  s.ledger = new (mem) Ledger{};
  auto* arrays = static_cast<std::atomic<std::uint8_t>*>(
      static_cast<void*>(static_cast<char*>(mem) + sizeof(Ledger)));
  s.delivered = arrays;
  s.outcome = arrays + n;
  s.sequence_of = static_cast<std::atomic<std::uint64_t>*>(
      static_cast<void*>(static_cast<char*>(mem) + arrays_at));
  s.reader_of = static_cast<std::atomic<std::uint32_t>*>(
      static_cast<void*>(static_cast<char*>(mem) + arrays_at + 8 * n));
  return s;  // zero-filled by the kernel: every atomic starts at 0
}

constexpr int kIdDigits = 10;

std::string payload_of(std::uint64_t id) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%0*llu soak message", kIdDigits,
                static_cast<unsigned long long>(id));
  return buf;
}

std::optional<std::uint64_t> id_of(const char* bytes, std::size_t size) {
  if (size < kIdDigits) return std::nullopt;
  std::uint64_t id = 0;
  for (int i = 0; i < kIdDigits; ++i) {
    if (bytes[i] < '0' || bytes[i] > '9') return std::nullopt;
    id = id * 10 + static_cast<std::uint64_t>(bytes[i] - '0');
  }
  return id;
}

void unmap_ledger(const Shared& s) noexcept {
  ::munmap(static_cast<void*>(s.ledger), s.bytes);
}

Tally account(const Shared& sh, std::uint64_t n, const std::vector<std::uint8_t>& taken_by_dead) {
  Tally t;
  for (std::uint64_t id = 0; id < n; ++id) {
    const unsigned d = sh.delivered[id].load();
    if (d > 1) ++t.duplicated;
    switch (sh.outcome[id].load()) {
      case kReceipt:
        if (d >= 1) {
          ++t.delivered;
        } else if (taken_by_dead[id]) {
          ++t.taken_by_killed_parent;
        } else {
          ++t.lost;
        }
        break;
      case kFailed:
        if (d == 0) {
          ++t.failed;
        } else {
          ++t.failed_but_delivered;
        }
        break;
      case kSending:
        ++t.in_flight;
        if (d >= 1) ++t.in_flight_delivered;
        break;
      default:
        ++t.unsent;
    }
  }
  return t;
}

}  // namespace shmcli::soak
