#include "bench_stream.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

#include "file_stream.hpp"
#include "shmipc/error.hpp"

namespace shmcli::bench {

namespace {

using Clock = std::chrono::steady_clock;

std::string temp_path(const std::string& label) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/shmipc-bench-" +
         std::to_string(::getpid()) + "-" + label;
}

std::vector<char> random_bytes(std::uint64_t n) {
  std::vector<char> data(n);
  std::mt19937_64 gen(12345);
  for (std::uint64_t i = 0; i < n; i += 8) {
    const std::uint64_t v = gen();
    std::memcpy(data.data() + i, &v, std::min<std::uint64_t>(8, n - i));
  }
  return data;
}

void write_file(const std::string& path, const std::vector<char>& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!out) throw shmipc::Error(shmipc::ErrorCode::System, "cannot write " + path);
}

std::vector<char> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

double mb_per_s(std::uint64_t bytes, Clock::duration d) {
  const double s = std::chrono::duration<double>(d).count();
  return s > 0 ? static_cast<double>(bytes) / 1e6 / s : 0;
}

double shmipc_stream(const CpuPlan& cpus, const std::string& in_path, const std::string& out_path,
                     const std::string& session_name) {
  const pid_t parent = fork_ready_helper(cpus, -1, [&](int ready_fd) {
    shmipc::SessionOptions o;
    o.name = session_name;
    o.role = shmipc::RoleRequest::Parent;
    auto session = shmipc::Session::join(o);
    shmipc::ParentPeer peer(*session);
    const char byte = 1;
    write_all(ready_fd, &byte, 1);
    ::close(ready_fd);
    bool killed = false;
    receive_to_file(*session, peer, out_path, std::nullopt, &killed);
    session->leave();
    return killed ? 0 : 1;
  }, "bench stream parent");
  shmipc::SessionOptions o;
  o.name = session_name;
  o.role = shmipc::RoleRequest::Child;
  o.create_if_missing = false;
  auto session = shmipc::Session::join(o);
  shmipc::ChildPeer child(*session);
  child.acknowledge();
  const auto t0 = Clock::now();
  const StreamTotals sent = send_file(*session, child, in_path, 30);
  const auto elapsed = Clock::now() - t0;
  child.send_command(shmipc::Command::KillApp);
  session->leave();
  reap(parent);
  return mb_per_s(sent.bytes, elapsed);
}

// The same chunks as shmipc, each with a 4-byte length before it and a 1-byte receipt after.
double pipe_chunked_stream(const CpuPlan& cpus, const std::vector<char>& data) {
  int to_echo[2], from_echo[2];
  if (::pipe(to_echo) != 0 || ::pipe(from_echo) != 0) shmipc::throw_errno("pipe", errno);
  const pid_t echo = fork_helper(cpus, -1, [&] {
    ::close(to_echo[1]);
    ::close(from_echo[0]);
    char chunk[1000];
    std::uint32_t n = 0;
    while (read_all(to_echo[0], &n, sizeof n) && n <= sizeof chunk && read_all(to_echo[0], chunk, n)) {
      const char ok = 1;
      write_all(from_echo[1], &ok, 1);
    }
    return 0;
  });
  ::close(to_echo[0]);
  ::close(from_echo[1]);
  const auto t0 = Clock::now();
  for (std::size_t at = 0; at < data.size(); at += 1000) {
    const std::uint32_t n = static_cast<std::uint32_t>(std::min<std::size_t>(1000, data.size() - at));
    char frame[4 + 1000];
    std::memcpy(frame, &n, 4);
    std::memcpy(frame + 4, data.data() + at, n);
    write_all(to_echo[1], frame, 4 + n);
    char ok;
    read_all(from_echo[0], &ok, 1);
  }
  const auto elapsed = Clock::now() - t0;
  ::close(to_echo[1]);
  ::close(from_echo[0]);
  reap(echo);
  return mb_per_s(data.size(), elapsed);
}

double pipe_stream(const CpuPlan& cpus, const std::vector<char>& data) {
  int p[2];
  if (::pipe(p) != 0) shmipc::throw_errno("pipe", errno);
  const auto t0 = Clock::now();
  const pid_t writer = fork_helper(cpus, -1, [&] {
    ::close(p[0]);
    for (std::size_t at = 0; at < data.size(); at += 65536)
      write_all(p[1], data.data() + at, std::min<std::size_t>(65536, data.size() - at));
    return 0;
  });
  ::close(p[1]);
  std::vector<char> got(data.size());
  std::size_t have = 0;
  while (have < got.size()) {
    const ssize_t r = ::read(p[0], got.data() + have, got.size() - have);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    have += static_cast<std::size_t>(r);
  }
  const auto elapsed = Clock::now() - t0;
  ::close(p[0]);
  reap(writer);
  return mb_per_s(have, elapsed);
}

}  // namespace

StreamResult bench_stream(const CpuPlan& cpus, std::uint64_t file_bytes,
                          const std::string& session_name) {
  StreamResult r;
  r.file_bytes = file_bytes;
  const std::vector<char> data = random_bytes(file_bytes);
  const std::string in_path = temp_path("stream.in");
  const std::string out_path = temp_path("stream.out");
  struct Cleanup {
    const std::string& a;
    const std::string& b;
    ~Cleanup() {
      ::unlink(a.c_str());
      ::unlink(b.c_str());
    }
  } cleanup{in_path, out_path};
  write_file(in_path, data);
  r.shmipc_mb_s = shmipc_stream(cpus, in_path, out_path, session_name);
  r.identical = read_file(out_path) == data;
  r.pipe_chunked_mb_s = pipe_chunked_stream(cpus, data);
  r.pipe_mb_s = pipe_stream(cpus, data);
  return r;
}

}  // namespace shmcli::bench
