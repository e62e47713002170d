// `shmipc bench`: hand-off latency and throughput of the protocol, measured in one run side by
// side with the classic alternatives written here (pipe, socketpair, Boost mutex + condition).
// Every row is the same exchange between two processes: a message of S bytes one way, a
// receipt back; the sender times each round trip. No assertion anywhere: it prints a table.
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <poll.h>
#include <algorithm>
#include <boost/interprocess/sync/interprocess_condition.hpp>
#include <boost/interprocess/sync/interprocess_mutex.hpp>
#include <boost/interprocess/sync/scoped_lock.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <new>
#include <string>
#include <vector>

#include "commands.hpp"
#include "shmipc/error.hpp"
#include "shmipc/observer.hpp"

namespace shmcli {

namespace {

using Clock = std::chrono::steady_clock;

struct Row {
  std::string name;
  std::size_t size = 0;
  std::size_t messages = 0;
  double median_us = 0;
  double p99_us = 0;
  double per_second = 0;
  std::string note;
};

Row summarise(std::string name, std::size_t size, std::vector<double> round_trips_ns,
              double total_s) {
  Row r;
  r.name = std::move(name);
  r.size = size;
  r.messages = round_trips_ns.size();
  if (round_trips_ns.empty()) return r;
  std::sort(round_trips_ns.begin(), round_trips_ns.end());
  const std::size_t n = round_trips_ns.size();
  r.median_us = round_trips_ns[n / 2] / 1000.0;
  r.p99_us = round_trips_ns[std::min(n - 1, n * 99 / 100)] / 1000.0;
  r.per_second = total_s > 0 ? static_cast<double>(n) / total_s : 0;
  return r;
}

// Times `round_trip` `count` times after a short warm-up.
Row time_round_trips(std::string name, std::size_t size, std::size_t count,
                     const std::function<void()>& round_trip) {
  for (std::size_t i = 0; i < std::min<std::size_t>(count / 20 + 1, 50); ++i) round_trip();
  std::vector<double> samples;
  samples.reserve(count);
  const auto start = Clock::now();
  for (std::size_t i = 0; i < count; ++i) {
    const auto t0 = Clock::now();
    round_trip();
    samples.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count());
  }
  const double total = std::chrono::duration<double>(Clock::now() - start).count();
  return summarise(std::move(name), size, std::move(samples), total);
}

// Forks a helper that dies with us; its body's return value is its exit code.
pid_t fork_helper(const std::function<int()>& body) {
  std::fflush(nullptr);
  const pid_t bench = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) shmipc::throw_errno("fork", errno);
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != bench) ::_exit(120);
    int rc = 121;
    try {
      rc = body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench helper: %s\n", e.what());
    }
    ::_exit(rc);
  }
  return pid;
}

int reap(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
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

// --- shmipc -------------------------------------------------------------------------------

struct ShmipcCase {
  const char* name;
  shmipc::PeerMode parent_mode;
  bool with_observer;
};

Row bench_shmipc(const ShmipcCase& c, std::size_t size, std::size_t count, int run) {
  const std::string session_name =
      "bench-" + std::to_string(::getpid()) + "-" + std::to_string(run);
  int ready[2];
  if (::pipe(ready) != 0) shmipc::throw_errno("pipe", errno);
  const pid_t parent = fork_helper([&] {
    ::close(ready[0]);
    shmipc::SessionOptions o;
    o.name = session_name;
    o.role = shmipc::RoleRequest::Parent;
    o.mode = c.parent_mode;
    auto session = shmipc::Session::join(o);
    shmipc::ParentPeer peer(*session);
    peer.set_mode(c.parent_mode);
    const char byte = 1;
    write_all(ready[1], &byte, 1);
    ::close(ready[1]);
    while (true) {
      auto e = peer.next();
      if (auto* cmd = std::get_if<shmipc::ReceivedCommand>(&e);
          cmd && cmd->command == shmipc::Command::KillApp)
        break;
    }
    session->leave();
    return 0;
  });
  ::close(ready[1]);
  char byte = 0;
  if (!read_all(ready[0], &byte, 1)) {
    ::close(ready[0]);
    reap(parent);
    throw shmipc::Error(shmipc::ErrorCode::PeerGone, "bench parent failed to start");
  }
  ::close(ready[0]);

  // An observer process snapshotting at 60 Hz until its stop pipe closes.
  pid_t observer = -1;
  int stop[2] = {-1, -1};
  if (c.with_observer) {
    if (::pipe(stop) != 0) shmipc::throw_errno("pipe", errno);
    observer = fork_helper([&] {
      ::close(stop[1]);
      auto obs = shmipc::Observer::open(session_name);
      pollfd p{stop[0], POLLIN, 0};
      // A 60 Hz frame clock, as the monitor's: the timeout is the frame, not a poll for events.
      while (::poll(&p, 1, 16) == 0) (void)obs->snapshot();
      return 0;
    });
    ::close(stop[0]);
  }

  shmipc::SessionOptions o;
  o.name = session_name;
  o.role = shmipc::RoleRequest::Child;
  o.create_if_missing = false;
  auto session = shmipc::Session::join(o);
  shmipc::ChildPeer child(*session);
  child.acknowledge();
  const std::string text = payload(size);
  Row row = time_round_trips(c.name, size, count, [&] { child.send_message(text); });
  if (observer > 0) {
    ::close(stop[1]);
    reap(observer);
  }
  child.send_command(shmipc::Command::KillApp);
  session->leave();
  reap(parent);
  return row;
}

// --- pipe and socketpair ----------------------------------------------------------------

// Echo side: reads a message of `size` bytes, answers with a one-byte receipt.
int receipt_loop(int in, int out, std::size_t size) {
  std::vector<char> buf(size);
  while (read_all(in, buf.data(), size)) {
    const char ok = 1;
    write_all(out, &ok, 1);
  }
  return 0;
}

Row bench_pipe(std::size_t size, std::size_t count) {
  int to_echo[2], from_echo[2];
  if (::pipe(to_echo) != 0 || ::pipe(from_echo) != 0) shmipc::throw_errno("pipe", errno);
  const pid_t echo = fork_helper([&] {
    ::close(to_echo[1]);
    ::close(from_echo[0]);
    return receipt_loop(to_echo[0], from_echo[1], size);
  });
  ::close(to_echo[0]);
  ::close(from_echo[1]);
  const std::string text = payload(size);
  Row row = time_round_trips("pipe ping-pong", size, count, [&] {
    write_all(to_echo[1], text.data(), size);
    char ok;
    read_all(from_echo[0], &ok, 1);
  });
  ::close(to_echo[1]);
  ::close(from_echo[0]);
  reap(echo);
  return row;
}

Row bench_socketpair(std::size_t size, std::size_t count) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) shmipc::throw_errno("socketpair", errno);
  const pid_t echo = fork_helper([&] {
    ::close(sv[0]);
    return receipt_loop(sv[1], sv[1], size);
  });
  ::close(sv[1]);
  const std::string text = payload(size);
  Row row = time_round_trips("socketpair ping-pong", size, count, [&] {
    write_all(sv[0], text.data(), size);
    char ok;
    read_all(sv[0], &ok, 1);
  });
  ::close(sv[0]);
  reap(echo);
  return row;
}

// --- Boost interprocess_mutex + interprocess_condition ------------------------------------

struct BoostShared {
  boost::interprocess::interprocess_mutex mutex;
  boost::interprocess::interprocess_condition changed;
  int state = 0;  // 0 idle, 1 message posted, 2 receipt, 3 quit
  std::uint32_t size = 0;
  char data[shmipc::kDataCapacity];
};

Row bench_boost(std::size_t size, std::size_t count) {
  using Lock = boost::interprocess::scoped_lock<boost::interprocess::interprocess_mutex>;
  void* mem = ::mmap(nullptr, sizeof(BoostShared), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) shmipc::throw_errno("mmap", errno);
  auto* shared = new (mem) BoostShared;
  const pid_t echo = fork_helper([&] {
    char copy[shmipc::kDataCapacity];
    while (true) {
      {
        Lock lock(shared->mutex);
        while (shared->state != 1 && shared->state != 3) shared->changed.wait(lock);
        if (shared->state == 3) return 0;
        std::memcpy(copy, shared->data, std::min<std::size_t>(shared->size, sizeof copy));
        shared->state = 2;
      }
      shared->changed.notify_one();  // after unlock: the woken side does not block again
    }
  });
  const std::string text = payload(size);
  Row row = time_round_trips("Boost mutex + condition", size, count, [&] {
    {
      Lock lock(shared->mutex);
      std::memcpy(shared->data, text.data(), size);
      shared->size = static_cast<std::uint32_t>(size);
      shared->state = 1;
    }
    shared->changed.notify_one();
    Lock lock(shared->mutex);
    while (shared->state != 2) shared->changed.wait(lock);
    shared->state = 0;
  });
  {
    Lock lock(shared->mutex);
    shared->state = 3;
  }
  shared->changed.notify_one();
  reap(echo);
  shared->~BoostShared();
  ::munmap(mem, sizeof(BoostShared));
  return row;
}

std::vector<std::size_t> parse_sizes(const std::string& text) {
  std::vector<std::size_t> sizes;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string part = text.substr(start, comma == std::string::npos ? comma : comma - start);
    const auto v = parse_count("sizes", part);
    if (v > shmipc::kDataCapacity)
      throw shmipc::Error(shmipc::ErrorCode::Usage,
                          "--sizes: " + part + " exceeds the message capacity of 1000 bytes");
    sizes.push_back(static_cast<std::size_t>(v));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return sizes;
}

void print_table(const std::vector<Row>& rows) {
  std::printf(
      "| mechanism | bytes | messages | median round trip (us) | p99 (us) | messages/s |\n");
  std::printf("|---|---:|---:|---:|---:|---:|\n");
  for (const auto& r : rows)
    std::printf("| %s | %zu | %zu | %.1f | %.1f | %.0f |\n", r.name.c_str(), r.size, r.messages,
                r.median_us, r.p99_us, r.per_second);
  std::fflush(stdout);
}

}  // namespace

int run_bench(Arguments& args) {
  const std::size_t messages = args.count("messages").value_or(10000);
  const std::vector<std::size_t> sizes = parse_sizes(args.value("sizes").value_or("100,1000"));
  const std::size_t seed_messages = args.count("seed-messages").value_or(200);
  const bool same_cpu = args.flag("same-cpu");
  args.finish();
  if (same_cpu) {
    // Helpers inherit the mask: both sides share one CPU, the fastest hand-off on a VM.
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    if (::sched_setaffinity(0, sizeof set, &set) != 0)
      shmipc::throw_errno("sched_setaffinity", errno);
  }
  std::printf(
      "round trip = a message of N bytes one way and its receipt back, between two\n"
      "processes (%s); %zu messages per row (seed-faithful: %zu)\n\n",
      same_cpu ? "both pinned to CPU 0" : "placed by the scheduler", messages, seed_messages);
  std::fflush(stdout);

  const ShmipcCase reliable{"shmipc reliable (blocking wait-any)", shmipc::PeerMode::Reliable,
                            false};
  const ShmipcCase observed{"shmipc reliable + observer snapshotting at 60 Hz",
                            shmipc::PeerMode::Reliable, true};
  const ShmipcCase seed{"shmipc seed-faithful (10 ms polling)", shmipc::PeerMode::SeedFaithful,
                        false};
  std::vector<Row> rows;
  int run = 0;
  for (std::size_t size : sizes) {
    rows.push_back(bench_shmipc(reliable, size, messages, run++));
    rows.push_back(bench_shmipc(observed, size, messages, run++));
    rows.push_back(bench_shmipc(seed, size, seed_messages, run++));
    rows.push_back(bench_pipe(size, messages));
    rows.push_back(bench_socketpair(size, messages));
    rows.push_back(bench_boost(size, messages));
  }
  print_table(rows);
  return 0;
}

}  // namespace shmcli
