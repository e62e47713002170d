// The classic rows of `shmipc bench`, written here as a user would: a pipe pair, an AF_UNIX
// socketpair, and Boost.Interprocess mutex + condition in a shared anonymous mapping. Each is
// the same exchange as the shmipc rows: a message of N bytes one way, a 1-byte receipt back.
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/interprocess/sync/interprocess_condition.hpp>
#include <boost/interprocess/sync/interprocess_mutex.hpp>
#include <boost/interprocess/sync/scoped_lock.hpp>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <new>
#include <vector>

#include "bench_rows.hpp"
#include "shmipc/block.hpp"
#include "shmipc/error.hpp"

namespace shmcli::bench {

namespace {

// Echo side: reads a message of `size` bytes, answers with a one-byte receipt.
int receipt_loop(int in, int out, std::size_t size) {
  std::vector<char> buf(std::max<std::size_t>(size, 1));
  while (read_all(in, buf.data(), size)) {
    const char ok = 1;
    write_all(out, &ok, 1);
  }
  return 0;
}

}  // namespace

Row bench_pipe(const RowSpec& spec) {
  int to_echo[2], from_echo[2];
  if (::pipe(to_echo) != 0 || ::pipe(from_echo) != 0) shmipc::throw_errno("pipe", errno);
  const pid_t echo = fork_helper(*spec.cpus, spec.echo_cpu, [&] {
    ::close(to_echo[1]);
    ::close(from_echo[0]);
    return receipt_loop(to_echo[0], from_echo[1], spec.bytes);
  });
  ::close(to_echo[0]);
  ::close(from_echo[1]);
  const std::string text = payload(spec.bytes);
  Row row = time_round_trips("pipe", spec, [&] {
    write_all(to_echo[1], text.data(), spec.bytes);
    char ok;
    read_all(from_echo[0], &ok, 1);
  });
  ::close(to_echo[1]);
  ::close(from_echo[0]);
  reap(echo);
  return row;
}

Row bench_socketpair(const RowSpec& spec) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) shmipc::throw_errno("socketpair", errno);
  const pid_t echo = fork_helper(*spec.cpus, spec.echo_cpu, [&] {
    ::close(sv[0]);
    return receipt_loop(sv[1], sv[1], spec.bytes);
  });
  ::close(sv[1]);
  const std::string text = payload(spec.bytes);
  Row row = time_round_trips("socketpair", spec, [&] {
    write_all(sv[0], text.data(), spec.bytes);
    char ok;
    read_all(sv[0], &ok, 1);
  });
  ::close(sv[0]);
  reap(echo);
  return row;
}

namespace {
struct BoostShared {
  boost::interprocess::interprocess_mutex mutex;
  boost::interprocess::interprocess_condition changed;
  int state = 0;  // 0 idle, 1 message posted, 2 receipt, 3 quit
  std::uint32_t size = 0;
  char data[shmipc::kDataCapacity];
};
}  // namespace

Row bench_boost_condition(const RowSpec& spec) {
  using Lock = boost::interprocess::scoped_lock<boost::interprocess::interprocess_mutex>;
  void* mem = ::mmap(nullptr, sizeof(BoostShared), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) shmipc::throw_errno("mmap", errno);
  auto* shared = new (mem) BoostShared;
  const pid_t echo = fork_helper(*spec.cpus, spec.echo_cpu, [&] {
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
  const std::string text = payload(spec.bytes);
  Row row = time_round_trips("boost-condition", spec, [&] {
    {
      Lock lock(shared->mutex);
      std::memcpy(shared->data, text.data(), spec.bytes);
      shared->size = static_cast<std::uint32_t>(spec.bytes);
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

}  // namespace shmcli::bench
