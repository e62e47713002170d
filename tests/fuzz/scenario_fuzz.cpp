// libFuzzer target: the scenario file parser (shmipc::parse_scenario). Scenario files are
// written by teachers and shared: a bad one must be refused with shmipc::Error naming what is
// wrong, never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string>

#include "shmipc/error.hpp"
#include "shmipc/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 256 * 1024) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const shmipc::Scenario s = shmipc::parse_scenario(text, "fuzz.json");
    (void)s;
  } catch (const shmipc::Error& e) {
    if (std::string(e.what()).empty()) __builtin_trap();  // an error must say what is wrong
  }
  return 0;
}
