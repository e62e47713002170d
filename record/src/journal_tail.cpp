#include "journal_tail.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>

#include "shmipc/block.hpp"
#include "shmipc/error.hpp"

namespace shmrecord::detail {

namespace {

using shmipc::Block;
using shmipc::JournalEntry;
constexpr std::size_t kNextAt = offsetof(Block, journal);
constexpr std::size_t kEntriesAt = kNextAt + offsetof(shmipc::JournalRing, entries);
constexpr std::uint64_t kCapacity = shmipc::kJournalCapacity;

bool pread_all(int fd, std::byte* dst, std::size_t size, std::size_t offset) {
  while (size > 0) {
    const ssize_t n = ::pread(fd, dst, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    dst += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

JournalTail::JournalTail(const std::string& session) : copy_(sizeof(Block)) {
  const std::string path = "/dev/shm/shmscope." + session;
  fd_ = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd_ < 0) shmipc::throw_errno("open " + path, errno);
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() ||
      static_cast<std::size_t>(st.st_size) != sizeof(Block)) {
    ::close(fd_);
    fd_ = -1;
    throw shmipc::Error(shmipc::ErrorCode::Untrusted,
                        path + " is not a block of ours (owner, type or size)");
  }
}

JournalTail::~JournalTail() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<shmipc::JournalRead> JournalTail::read(std::uint64_t from) {
  std::uint64_t next = 0;
  if (!pread_all(fd_, copy_.data() + kNextAt, sizeof next, kNextAt)) return std::nullopt;
  std::memcpy(&next, copy_.data() + kNextAt, sizeof next);
  if (next > from) {
    // Only the last kCapacity records can still be there; the ring may wrap once.
    const std::uint64_t start = std::max(from, next > kCapacity ? next - kCapacity : 0);
    std::uint64_t n = start;
    while (n < next) {
      const std::uint64_t index = n % kCapacity;
      const std::uint64_t run = std::min(next - n, kCapacity - index);
      const std::size_t at = kEntriesAt + static_cast<std::size_t>(index) * sizeof(JournalEntry);
      if (!pread_all(fd_, copy_.data() + at, static_cast<std::size_t>(run) * sizeof(JournalEntry), at))
        return std::nullopt;
      n += run;
    }
  }
  return shmipc::journal_decode(copy_, from);
}

}  // namespace shmrecord::detail
