// Little-endian integers in byte strings: the recording format's only encoding of numbers,
// written out byte by byte so that the file reads the same on any host.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace shmrecord::detail {

template <typename T>
void put_le(std::string& out, T value) {
  char bytes[sizeof(T)];
  for (std::size_t i = 0; i < sizeof(T); ++i)
    bytes[i] = static_cast<char>(static_cast<std::uint64_t>(value) >> (8 * i) & 0xFF);
  out.append(bytes, sizeof(T));
}

template <typename T>
void store_le(char* at, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i)
    at[i] = static_cast<char>(static_cast<std::uint64_t>(value) >> (8 * i) & 0xFF);
}

// The caller has checked that sizeof(T) bytes are there.
template <typename T>
T get_le(const char* at) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i)
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(at[i])) << (8 * i);
  return static_cast<T>(v);
}

}  // namespace shmrecord::detail
