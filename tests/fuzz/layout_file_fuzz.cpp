// libFuzzer target: the layout-file parser (YAML, a strict subset of Kaitai Struct .ksy).
// Any input must give a layout or an InspectError, never a crash, a hang or a leak; a layout it
// accepts must decode a buffer of its size and survive emit -> parse unchanged.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "shminspect/decode.hpp"
#include "shminspect/error.hpp"
#include "shminspect/layout_facts.hpp"
#include "shminspect/layout_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  shminspect::Layout layout;
  try {
    layout = shminspect::parse_layout_file(text, "fuzz");
  } catch (const shminspect::InspectError&) {
    return 0;
  }
  const std::string emitted = shminspect::emit_layout_file(layout);
  try {
    const auto back = shminspect::parse_layout_file(emitted, "emitted");
    if (!shminspect::compare_layouts(layout, back).empty()) __builtin_trap();
  } catch (const shminspect::InspectError&) {
    __builtin_trap();  // what we write we must read back
  }
  layout = shminspect::size_flexible_array(layout, layout.size + 64);
  if (layout.size <= (1u << 20)) {
    const std::vector<std::uint8_t> bytes(layout.size + 64, 0xa5);
    shminspect::DecodeOptions options;
    options.max_array_elements = 16;
    (void)shminspect::decode(layout, bytes, options);
  }
  (void)shminspect::layout_facts(layout);
  return 0;
}
