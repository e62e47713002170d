// Turns a sample's bytes into values, field by field, through a layout. Never reads past the
// bytes it is given: a field beyond them (or outside the sampled ranges) is "unavailable".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shminspect/layout.hpp"
#include "shminspect/segment_reader.hpp"

namespace shminspect {

struct DecodedValue {
  std::string path;  // "header.seq", "items[3].x", "name"
  int depth = 0;     // 0 = the root's direct members
  const Field* field = nullptr;  // into the Layout passed to decode (element template for arrays)
  std::uint64_t offset = 0;  // absolute byte range in the segment
  std::uint64_t size = 0;
  bool available = false;  // all its bytes were read
  bool in_flux = false;    // some of its bytes were being written during the read
  bool is_container = false;  // struct, union, array: no value of its own

  std::string text;  // display: "42", "-1.5", "true", "RUNNING", "0x7ffd1234", "\"hello\""
  // Numeric value of a scalar (integers, enums, bool, char, float, pointer); nullopt otherwise.
  std::optional<double> number;
  std::optional<std::int64_t> as_signed;      // integers, enums, bool, char
  std::optional<std::uint64_t> as_unsigned;   // unsigned integers, pointers, bools
  std::string enumerator;  // Enum: the matching name, "" if none
  bool text_is_utf8 = false;  // Text: valid UTF-8 up to the first NUL
};

struct DecodeOptions {
  std::uint64_t max_array_elements = 256;  // elements listed per array (the rest summarised)
  // Values in all (nested arrays multiply: a 64-deep nest of 2-element arrays is 2^64 values).
  // Arrays reached past it list fewer elements, and their text says how many are shown.
  std::uint64_t max_values = 200'000;
};

// Values in pre-order (containers first, then their children).
std::vector<DecodedValue> decode(const Layout& layout, const std::vector<std::uint8_t>& bytes,
                                 const DecodeOptions& options = {});
// The same, with sample state: unsampled ranges are unavailable, in-flux bytes mark values.
std::vector<DecodedValue> decode(const Layout& layout, const Sample& sample,
                                 const DecodeOptions& options = {});

// One field by path ("a.b[2].c"): nullopt if no such field. Byte ranges to read for it.
std::optional<ByteRange> field_range(const Layout& layout, const std::string& path);

// Plain-text and JSON renderings (as `shmipc inspect` prints them).
std::string format_values_text(const std::vector<DecodedValue>& values);
std::string format_values_json(const Layout& layout, const std::vector<DecodedValue>& values);

}  // namespace shminspect
