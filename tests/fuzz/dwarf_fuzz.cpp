// libFuzzer target: the DWARF layout reader (libelf/libdw plus our walk of the type DIEs).
// The input is an ELF file's bytes, written to a memfd and opened by path as a user's binary is.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "shminspect/decode.hpp"
#include "shminspect/dwarf_layout.hpp"
#include "shminspect/error.hpp"
#include "shminspect/layout_facts.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 1024 * 1024) return 0;
  const int fd = ::memfd_create("dwarf_fuzz", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (::write(fd, data, size) != static_cast<ssize_t>(size)) {
    ::close(fd);
    return 0;
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  shminspect::DwarfOptions options;
  options.find_separate_debug = false;
  options.isolate = false;  // the fuzzer wants to see what a hostile file does in-process
  // As with the decode bounds below: a bound reached is a bound reached, whether at 2,000 or
  // 20,000. With the default, inputs that grow struct DAGs ran at 63 a second (a million
  // would take four and a half hours); the default's own cost is an inspect test.
  options.max_fields = 2'000;
  try {
    // The seeds' struct by name, then the first few types the file names.
    std::vector<std::string> names{"demo::Sample"};
    const auto all = shminspect::list_dwarf_types(path, options);
    for (std::size_t i = 0; i < all.size() && i < 3; ++i) names.push_back(all[i]);
    for (const auto& name : names) {
      try {
        const auto layout = shminspect::load_layout_from_dwarf(path, name, options);
        (void)shminspect::layout_facts(layout);
        // Small bounds take the same paths as the defaults (a bound reached is a bound
        // reached) at a fraction of the cost per input: the long run's million inputs ran at
        // 61 a second with 20,000 values over up to 1 MiB per type.
        if (layout.size <= (64u << 10)) {
          shminspect::DecodeOptions decode_options;
          decode_options.max_array_elements = 16;
          decode_options.max_values = 2000;
          (void)shminspect::decode(layout, std::vector<std::uint8_t>(layout.size, 0x5a), decode_options);
        }
      } catch (const shminspect::InspectError&) {
      }
    }
  } catch (const shminspect::InspectError&) {
  }
  ::close(fd);
  return 0;
}
