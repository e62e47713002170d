// libFuzzer target: the --listen HOST:PORT parser of `shmipc metrics`. An accepted address must
// read back as itself; a refused one is an Error(Usage), never anything else.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "shmipc/error.hpp"
#include "shmmetrics/listen_address.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto address = shmmetrics::parse_listen_address(text);
    const auto again = shmmetrics::parse_listen_address(address.text());
    if (again.host != address.host || again.port != address.port) __builtin_trap();
  } catch (const shmipc::Error& e) {
    if (e.code() != shmipc::ErrorCode::Usage) __builtin_trap();
  }
  return 0;
}
