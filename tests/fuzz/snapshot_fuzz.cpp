// libFuzzer target: the observers' snapshot decoder (shmipc::decode_snapshot), which reads a
// byte copy of a block any process of the user may have scribbled on. It must never read out
// of bounds, trust a size or index, or loop: garbage is reported as FieldProblems.
#include <cstddef>
#include <cstdint>
#include <span>

#include "block_input.hpp"
#include "shmipc/snapshot.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // As it came: any size, any header.
  const auto* bytes = reinterpret_cast<const std::byte*>(data);
  (void)shmipc::decode_snapshot(std::span<const std::byte>(bytes, size));
  // Behind a valid header, so the field checks are reached.
  const auto raw = fuzzinput::block_over_valid_header(data, size);
  const shmipc::Snapshot s = shmipc::decode_snapshot(raw);
  for (const auto& problem : s.problems) (void)problem;
  return 0;
}
