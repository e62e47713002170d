// A program whose shared memory the inspect tests read through its own debug info:
//   inspect_target NAME --step K     write step K, print "ready", wait until killed
//   inspect_target NAME --run MS     write steps 0, 1, 2, ... every MS milliseconds (seqlock)
//   inspect_target NAME --ring N     a Ring (C, flexible array) of N items, step 3
//   inspect_target NAME --ksm PID    the article's KSharedMemory holding "hello from PID"
// The segment is /dev/shm/NAME; it is removed on SIGTERM/SIGINT.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "inspect_ring.h"
#include "inspect_target_types.hpp"

// Keeps demo::v2::Point in the DWARF (external linkage: not optimised away).
demo::v2::Point g_other_point{1, 2};

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

void* create(const std::string& name, std::size_t size) {
  const std::string path = "/dev/shm/" + name;
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    std::perror(path.c_str());
    std::exit(3);
  }
  void* memory = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);
  if (memory == MAP_FAILED) {
    std::perror("mmap");
    std::exit(3);
  }
  return memory;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: inspect_target NAME (--step K | --run MS | --ring N | --ksm PID)\n");
    return 2;
  }
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  const std::string name = argv[1];
  const std::string mode = argv[2];
  const unsigned long value = std::strtoul(argv[3], nullptr, 10);

  if (mode == "--ksm") {
    auto* k = new (create(name, sizeof(KSharedMemory))) KSharedMemory{};
    k->processID = static_cast<std::uint32_t>(value);
    k->childAck = 1;
    k->dataSize = std::snprintf(k->data, sizeof k->data, "hello from %lu", value);
  } else if (mode == "--ring") {
    const std::size_t size = 8 + 4 * value;  // sizeof(Ring) (a C type) + the items
    ring_fill(create(name, size), static_cast<std::uint32_t>(value), 3);
  } else {
    auto* s = new (create(name, sizeof(demo::Sample))) demo::Sample{};
    auto* seq = reinterpret_cast<std::atomic<std::uint64_t>*>(&s->seq);
    if (mode == "--step") {
      demo::fill_sample(*s, value);
      seq->store(2 * value);
    } else {
      for (std::uint64_t k = 0; !g_stop && k < 10'000'000; ++k) {
        seq->store(2 * k + 1);  // odd: inside
        std::atomic_thread_fence(std::memory_order_release);
        demo::fill_sample(*s, k);
        std::atomic_thread_fence(std::memory_order_release);
        seq->store(2 * k);
        if (k == 0) {
          std::puts("ready");
          std::fflush(stdout);
        }
        ::usleep(static_cast<useconds_t>(value * 1000));
      }
    }
  }
  if (mode != "--run") {
    std::puts("ready");
    std::fflush(stdout);
  }
  while (!g_stop) ::pause();
  ::unlink(("/dev/shm/" + name).c_str());
  return 0;
}
