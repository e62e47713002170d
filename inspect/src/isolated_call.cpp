#include "isolated_call.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "shminspect/error.hpp"

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define SHMINSPECT_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SHMINSPECT_SANITIZED 1
#endif

namespace shminspect {
namespace {

// The reply is: one status byte ('K' ok, 'E' error), a u32 error kind, a u32 count, then each
// string as a u32 length and its bytes. The parent treats it as untrusted (the child may have
// been corrupted by the very input it read): every length is checked against what arrived.
constexpr std::size_t kMaxReply = 256u << 20;

void put_u32(std::string& out, std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }

std::string encode(char status, std::uint32_t kind, const std::vector<std::string>& strings) {
  std::string out(1, status);
  put_u32(out, kind);
  put_u32(out, static_cast<std::uint32_t>(strings.size()));
  for (const auto& s : strings) {
    put_u32(out, static_cast<std::uint32_t>(s.size()));
    out += s;
  }
  return out;
}

bool write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

[[noreturn]] void child_main(int fd, const IsolationLimits& limits,
                             const std::function<std::vector<std::string>()>& work) {
  ::signal(SIGPIPE, SIG_IGN);
  // The caller's crash handlers (a test framework's, a sanitizer's, the monitor's) must not run
  // here: a crash in the child is a plain death by signal, reported by the parent.
  for (const int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::signal(sig, SIG_DFL);
#ifndef SHMINSPECT_SANITIZED
  if (limits.memory_bytes != 0) {
    const rlimit limit{limits.memory_bytes, limits.memory_bytes};
    ::setrlimit(RLIMIT_AS, &limit);
  }
#else
  (void)limits;
#endif
  std::string reply;
  try {
    reply = encode('K', 0, work());
  } catch (const InspectError& e) {
    reply = encode('E', static_cast<std::uint32_t>(e.kind()), {e.what()});
  } catch (const std::bad_alloc&) {
    reply = encode('M', 0, {});
  } catch (const std::exception& e) {
    reply = encode('E', static_cast<std::uint32_t>(ErrorKind::System), {e.what()});
  }
  // _exit: no atexit handlers or static destructors of the parent's program run in the child.
  ::_exit(write_all(fd, reply) ? 0 : 3);
}

struct Reader {
  const std::string& bytes;
  std::size_t at = 0;
  bool u32(std::uint32_t& v) {
    if (bytes.size() - at < 4) return false;
    std::memcpy(&v, bytes.data() + at, 4);
    at += 4;
    return true;
  }
  bool str(std::string& s) {
    std::uint32_t n = 0;
    if (!u32(n) || bytes.size() - at < n) return false;
    s.assign(bytes, at, n);
    at += n;
    return true;
  }
};

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    return "crashed (signal " + std::to_string(sig) + ", " + ::strsignal(sig) + ")";
  }
  if (WIFEXITED(status)) return "stopped with exit code " + std::to_string(WEXITSTATUS(status));
  return "ended unexpectedly";
}

}  // namespace

std::vector<std::string> run_isolated(const std::string& what, const IsolationLimits& limits,
                                      const std::function<std::vector<std::string>()>& work) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw InspectError(ErrorKind::System, what + ": pipe: " + std::strerror(errno));
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    throw InspectError(ErrorKind::System, what + ": fork: " + std::strerror(err));
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_main(fds[1], limits, work);
  }
  ::close(fds[1]);
  std::string reply;
  bool timed_out = false, too_long = false;
  const auto deadline = std::chrono::steady_clock::now() + limits.timeout;
  char buf[65536];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) continue;
    if (r < 0) break;
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reply.append(buf, static_cast<std::size_t>(n));
    if (reply.size() > kMaxReply) {
      too_long = true;
      break;
    }
  }
  ::close(fds[0]);
  if (timed_out || too_long) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    throw InspectError(ErrorKind::System,
                       what + " took longer than " + std::to_string(limits.timeout.count() / 1000) +
                           " s and was stopped (the file may be damaged or crafted)");
  }
  if (too_long) throw InspectError(ErrorKind::System, what + ": the reader's reply is too large");
  Reader in{reply};
  std::uint32_t kind = 0, count = 0;
  const char code = reply.empty() ? '\0' : reply[0];
  in.at = 1;
  const bool clean_exit = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (code == 'M' && clean_exit) {
    throw InspectError(ErrorKind::System,
                       what + " needed more than " + std::to_string(limits.memory_bytes >> 20) +
                           " MiB of memory and was stopped (the file may be damaged or crafted)");
  }
  if (!clean_exit || (code != 'K' && code != 'E') || !in.u32(kind) || !in.u32(count)) {
    throw InspectError(ErrorKind::System, what + ": the reader " + describe_status(status) +
                                              " (the file may be damaged or crafted)");
  }
  std::vector<std::string> strings;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::string s;
    if (!in.str(s)) throw InspectError(ErrorKind::System, what + ": the reader's reply is cut short");
    strings.push_back(std::move(s));
  }
  if (code == 'E') {
    if (kind > static_cast<std::uint32_t>(ErrorKind::System) || strings.size() != 1) {
      throw InspectError(ErrorKind::System, what + ": the reader's reply is malformed");
    }
    throw InspectError(static_cast<ErrorKind>(kind), strings.front());
  }
  return strings;
}

}  // namespace shminspect
