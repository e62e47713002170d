// libFuzzer target: the journal reader over a byte copy of a block (shmipc::journal_decode):
// every index, version and kind in the ring is untrusted.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "block_input.hpp"
#include "shmipc/journal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::uint64_t from = 0;
  if (size >= 8) std::memcpy(&from, data, 8);  // where the reader thinks it left off
  const auto* bytes = reinterpret_cast<const std::byte*>(data);
  (void)shmipc::journal_decode(std::span<const std::byte>(bytes, size), from);
  const auto raw = fuzzinput::block_over_valid_header(data, size);
  for (std::uint64_t start : {std::uint64_t{0}, from, from - 1}) {
    const shmipc::JournalRead read = shmipc::journal_decode(raw, start);
    for (const auto& item : read.items) (void)item;
  }
  return 0;
}
