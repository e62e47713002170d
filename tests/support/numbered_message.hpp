// Message i of a test stream: its index (4 bytes), then a pattern that depends on the index and
// the position, with a length that varies from 5 to 1000 bytes, so a torn, stale or mixed copy
// shows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace shmtest {

inline std::string numbered_message(std::uint32_t i) {
  const std::size_t size = 5 + (static_cast<std::size_t>(i) * 37) % 996;
  std::string s(size, '\0');
  std::memcpy(s.data(), &i, sizeof i);
  for (std::size_t k = sizeof i; k < size; ++k) s[k] = static_cast<char>((i * 131 + k * 7) & 0xff);
  return s;
}

}  // namespace shmtest
