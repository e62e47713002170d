#include "shmipc/process_identity.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <string>
#include <string_view>

namespace shmipc {

namespace {

// Reads /proc/<pid>/stat in one read(): the kernel produces the whole line atomically.
bool read_stat(std::uint32_t pid, std::string& out) noexcept {
  std::string path = "/proc/" + std::to_string(pid) + "/stat";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buffer[1024];
  ssize_t n = ::read(fd, buffer, sizeof buffer);
  ::close(fd);
  if (n <= 0) return false;
  out.assign(buffer, static_cast<std::size_t>(n));
  return true;
}

struct StatFields {
  char state = '?';
  std::uint64_t start_time = 0;
};

// The command name (field 2) is in parentheses and may itself contain ')' and spaces, so
// the fixed fields are counted from the LAST ')'. Field 3 (state) follows it, field 22 is
// starttime.
std::optional<StatFields> parse_stat(std::string_view line) noexcept {
  std::size_t close = line.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = line.substr(close + 1);
  StatFields fields;
  int field = 2;
  std::size_t pos = 0;
  while (pos < rest.size()) {
    while (pos < rest.size() && rest[pos] == ' ') ++pos;
    if (pos >= rest.size()) break;
    std::size_t end = rest.find(' ', pos);
    if (end == std::string_view::npos) end = rest.size();
    std::string_view token = rest.substr(pos, end - pos);
    ++field;
    if (field == 3) {
      fields.state = token.empty() ? '?' : token[0];
    } else if (field == 22) {
      auto [ptr, ec] =
          std::from_chars(token.data(), token.data() + token.size(), fields.start_time);
      if (ec != std::errc{} || ptr != token.data() + token.size()) return std::nullopt;
      return fields;
    }
    pos = end;
  }
  return std::nullopt;
}

}  // namespace

namespace {

// gettid() is a system call, and every journal record wants the tid: a per-thread cache saves
// a syscall per record (a dozen per message). A fork gives the child's thread a new tid while
// copying the cache, so the cache is keyed by a counter that the child bumps after a fork.
std::atomic<std::uint64_t> fork_generation{1};

void bump_fork_generation() noexcept {
  fork_generation.fetch_add(1, std::memory_order_relaxed);
}

[[maybe_unused]] const int fork_hook_registered =
    ::pthread_atfork(nullptr, nullptr, bump_fork_generation);

}  // namespace

std::uint32_t current_tid() noexcept {
  thread_local std::uint64_t cached_generation = 0;
  thread_local std::uint32_t cached_tid = 0;
  std::uint64_t generation = fork_generation.load(std::memory_order_relaxed);
  if (cached_generation != generation) {
    cached_tid = static_cast<std::uint32_t>(::gettid());
    cached_generation = generation;
  }
  return cached_tid;
}

ProcessIdentity current_process() noexcept {
  // Cached per pid: a forked child has a new pid and so recomputes its own start time.
  static std::atomic<std::uint32_t> cached_pid{0};
  static std::atomic<std::uint64_t> cached_start{0};
  auto pid = static_cast<std::uint32_t>(::getpid());
  if (cached_pid.load(std::memory_order_acquire) == pid) {
    return {pid, cached_start.load(std::memory_order_relaxed)};
  }
  std::uint64_t start = process_start_time(pid).value_or(0);
  cached_start.store(start, std::memory_order_relaxed);
  cached_pid.store(pid, std::memory_order_release);
  return {pid, start};
}

std::optional<std::uint64_t> process_start_time(std::uint32_t pid) noexcept {
  if (pid == 0) return std::nullopt;
  std::string line;
  if (!read_stat(pid, line)) return std::nullopt;
  auto fields = parse_stat(line);
  if (!fields) return std::nullopt;
  // Z: zombie, X/x: dead. Such a process will never again touch the block.
  if (fields->state == 'Z' || fields->state == 'X' || fields->state == 'x') return std::nullopt;
  return fields->start_time;
}

std::optional<char> process_state(std::uint32_t pid) noexcept {
  if (pid == 0) return std::nullopt;
  std::string line;
  if (!read_stat(pid, line)) return std::nullopt;
  auto fields = parse_stat(line);
  if (!fields) return std::nullopt;
  return fields->state;
}

bool is_alive(const ProcessIdentity& who) noexcept {
  auto start = process_start_time(who.pid);
  return start.has_value() && *start == who.start_time;
}

}  // namespace shmipc
