// One DWARF type DIE to a Field tree (members, arrays, bit-fields, enums, atomics).
#pragma once

#include <elfutils/libdw.h>

#include <string>

#include "dwarf_file.hpp"
#include "shminspect/layout.hpp"

namespace shminspect {

// The field for `type` named `name` at absolute `offset`. Bounded in depth and in the number of
// fields (`max_fields`, DwarfOptions), so that hostile DWARF cannot make it run away.
Field build_type_field(const DwarfFile& file, Dwarf_Die type, const std::string& name,
                       std::uint64_t offset, std::size_t max_fields);

}  // namespace shminspect
