// The struct the inspect tests look at: one member of every kind the library decodes, filled
// by fill_sample(k) as a pure function of the step k, so that a test knows every value.
#pragma once

#include <atomic>
#include <cstdint>

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

}  // namespace demo

// The article's shared struct (Windows: DWORD processID; int childAck; int dataSize;
// char data[1000]) ported to Linux; inspect/layouts/ksharedmemory.ksy describes it.
struct KSharedMemory {
  std::uint32_t processID;
  std::int32_t childAck;
  std::int32_t dataSize;
  char data[1000];
};
