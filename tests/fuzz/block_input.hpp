// Turns fuzz input into a block copy for the snapshot and journal decoders: the input's bytes
// laid over a block whose header is valid (so mutations reach the fields behind the header
// checks), and the raw input as it came (any size, any header).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "shmipc/block.hpp"

namespace fuzzinput {

inline std::vector<std::byte> block_over_valid_header(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> raw(sizeof(shmipc::Block));
  const std::uint64_t magic = shmipc::kBlockMagic;
  const std::uint32_t version = shmipc::kLayoutVersion;
  const auto block_size = static_cast<std::uint32_t>(sizeof(shmipc::Block));
  const std::uint32_t ready = shmipc::kInitReady;
  std::memcpy(raw.data() + 0, &magic, 8);
  std::memcpy(raw.data() + 8, &version, 4);
  std::memcpy(raw.data() + 12, &block_size, 4);
  std::memcpy(raw.data() + 40, &ready, 4);
  // The header stays valid; everything after it comes from the input.
  const std::size_t n = std::min(size, raw.size() - sizeof(shmipc::BlockHeader));
  std::memcpy(raw.data() + sizeof(shmipc::BlockHeader), data, n);
  return raw;
}

}  // namespace fuzzinput
