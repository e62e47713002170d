#include "bench_harness.hpp"

#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <exception>

#include "shmipc/error.hpp"

namespace shmcli::bench {

namespace {
using Clock = std::chrono::steady_clock;

cpu_set_t mask_of(const std::vector<int>& cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cpus) CPU_SET(c, &set);
  return set;
}
}  // namespace

std::string_view placement_name(Placement p) noexcept {
  switch (p) {
    case Placement::Unpinned:
      return "unpinned";
    case Placement::SameCpu:
      return "same-cpu";
    case Placement::TwoCpus:
      return "two-cpus";
  }
  return "?";
}

CpuPlan::CpuPlan() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) shmipc::throw_errno("sched_getaffinity", errno);
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) cpus_.push_back(c);
}

int CpuPlan::sender_cpu(Placement p) const noexcept {
  if (p == Placement::Unpinned || cpus_.empty()) return -1;
  return cpus_[0];
}

int CpuPlan::echo_cpu(Placement p) const noexcept {
  if (p == Placement::Unpinned || cpus_.empty()) return -1;
  if (p == Placement::SameCpu || cpus_.size() < 2) return cpus_[0];
  return cpus_[1];
}

void CpuPlan::pin(int cpu) const {
  const cpu_set_t set = cpu < 0 ? mask_of(cpus_) : mask_of({cpu});
  if (::sched_setaffinity(0, sizeof set, &set) != 0) shmipc::throw_errno("sched_setaffinity", errno);
}

Row time_round_trips(std::string mechanism, const RowSpec& spec,
                     const std::function<void()>& round_trip) {
  for (std::size_t i = 0; i < std::min<std::size_t>(spec.messages / 20 + 1, 50); ++i) round_trip();
  std::vector<double> samples;
  samples.reserve(spec.messages);
  const auto start = Clock::now();
  for (std::size_t i = 0; i < spec.messages; ++i) {
    const auto t0 = Clock::now();
    round_trip();
    samples.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count());
  }
  const double total_s = std::chrono::duration<double>(Clock::now() - start).count();

  Row r;
  r.mechanism = std::move(mechanism);
  r.placement = spec.placement;
  r.bytes = spec.bytes;
  r.messages = samples.size();
  if (samples.empty()) return r;
  std::sort(samples.begin(), samples.end());
  const std::size_t n = samples.size();
  r.median_us = samples[n / 2] / 1000.0;
  r.p99_us = samples[std::min(n - 1, n * 99 / 100)] / 1000.0;
  r.max_us = samples.back() / 1000.0;
  r.per_second = total_s > 0 ? static_cast<double>(n) / total_s : 0;
  return r;
}

pid_t fork_helper(const CpuPlan& cpus, int cpu, const std::function<int()>& body) {
  std::fflush(nullptr);
  const pid_t bench = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) shmipc::throw_errno("fork", errno);
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != bench) ::_exit(120);
    int rc = 121;
    try {
      cpus.pin(cpu);
      rc = body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench helper: %s\n", e.what());
    }
    ::_exit(rc);
  }
  return pid;
}

pid_t fork_ready_helper(const CpuPlan& cpus, int cpu, const std::function<int(int ready_fd)>& body,
                        const char* what) {
  int ready[2];
  if (::pipe(ready) != 0) shmipc::throw_errno("pipe", errno);
  const pid_t pid = fork_helper(cpus, cpu, [&] {
    ::close(ready[0]);
    return body(ready[1]);
  });
  ::close(ready[1]);
  char byte = 0;
  const bool started = read_all(ready[0], &byte, 1);
  ::close(ready[0]);
  if (!started) {
    reap(pid);
    throw shmipc::Error(shmipc::ErrorCode::PeerGone, std::string(what) + " failed to start");
  }
  return pid;
}

int reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 127;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void write_all(int fd, const void* p, std::size_t n) {
  const char* c = static_cast<const char*>(p);
  while (n > 0) {
    const ssize_t w = ::write(fd, c, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) shmipc::throw_errno("write", errno);
    c += w;
    n -= static_cast<std::size_t>(w);
  }
}

bool read_all(int fd, void* p, std::size_t n) {
  char* c = static_cast<char*>(p);
  while (n > 0) {
    const ssize_t r = ::read(fd, c, n);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) return false;
    if (r < 0) shmipc::throw_errno("read", errno);
    c += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

std::string payload(std::size_t size) {
  std::string s(size, 'x');
  for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

}  // namespace shmcli::bench
