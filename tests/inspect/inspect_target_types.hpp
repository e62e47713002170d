// The struct the inspect tests look at: one member of every kind the library decodes, filled
// by fill_sample(k) as a pure function of the step k, so that a test knows every value.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace demo {

enum class Mode : std::uint8_t { Idle = 0, Running = 1, Error = 2 };
enum Level { kLow = -1, kMid = 0, kHigh = 7 };

struct Point {
  float x;
  double y;
};

union Word {
  std::uint32_t u;
  float f;
  unsigned char bytes[4];
};

struct Flags {
  unsigned ready : 1;
  unsigned count : 5;
  signed delta : 4;
  Mode mode : 2;
  bool on : 1;
};

struct Sample {
  std::uint64_t seq;  // seqlock: odd while the writer is inside, 2k after step k
  std::int32_t temperature;
  std::uint16_t port;
  bool enabled;
  char tag;
  Mode mode;
  Level level;
  char name[16];
  std::uint8_t raw[4];
  Point pos;
  Point path[3];
  std::int16_t grid[2][3];
  Word word;
  Flags flags;
  std::atomic<std::uint32_t> counter;
  std::atomic<bool> alive;
  std::atomic<double> gauge;
  std::atomic<void*> last;
  const char* label;
  double ratio;
  std::uint64_t writer_a;  // changes on even steps
  std::uint64_t writer_b;  // changes on odd steps: same cache line, different "writers"
};

// Step k of the known pattern (the tests' expectations in inspect_fixtures.hpp follow it).
inline void fill_sample(demo::Sample& s, std::uint64_t k) {
  s.temperature = -20 + static_cast<std::int32_t>(k);
  s.port = static_cast<std::uint16_t>(1000 + k);
  s.enabled = k % 2 == 1;
  s.tag = static_cast<char>('A' + k % 26);
  s.mode = static_cast<demo::Mode>(k % 3);
  s.level = k % 2 ? demo::kHigh : demo::kLow;
  std::memset(s.name, 0, sizeof s.name);
  std::snprintf(s.name, sizeof s.name, "step-%llu", static_cast<unsigned long long>(k));
  for (int i = 0; i < 3; ++i) s.raw[i] = static_cast<std::uint8_t>(k + i);
  s.raw[3] = 255;
  s.pos = {static_cast<float>(k) * 0.5f, -static_cast<double>(k) * 0.25};
  for (int i = 0; i < 3; ++i) s.path[i] = {static_cast<float>(i + k), static_cast<double>(i * k)};
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 3; ++c) s.grid[r][c] = static_cast<std::int16_t>(r * 10 + c + k);
  }
  s.word.u = k % 2 == 0 ? 0x40490fdbu : static_cast<std::uint32_t>(k);
  s.flags.ready = k & 1;
  s.flags.count = k % 32;
  s.flags.delta = static_cast<int>(k % 16) - 8;
  s.flags.mode = static_cast<demo::Mode>(k % 3);
  s.flags.on = k % 2 == 0;
  s.counter.store(static_cast<std::uint32_t>(k * 3), std::memory_order_relaxed);
  s.alive.store(true, std::memory_order_relaxed);
  s.gauge.store(static_cast<double>(k) / 4.0, std::memory_order_relaxed);
  s.last.store(reinterpret_cast<void*>(0x1000 + k), std::memory_order_relaxed);
  s.label = reinterpret_cast<const char*>(0x4000 + k);
  s.ratio = 1.0 / static_cast<double>(k + 1);
  s.writer_a = (k + 1) / 2;  // changes when entering an odd step
  s.writer_b = k / 2;        // changes when entering an even step
}

}  // namespace demo

namespace demo::v2 {
// A second Point, so that the bare name "Point" is ambiguous.
struct Point {
  int x, y;
};
}  // namespace demo::v2

// The article's shared struct (Windows: DWORD processID; int childAck; int dataSize;
// char data[1000]) ported to Linux; inspect/layouts/ksharedmemory.ksy describes it.
struct KSharedMemory {
  std::uint32_t processID;
  std::int32_t childAck;
  std::int32_t dataSize;
  char data[1000];
};
