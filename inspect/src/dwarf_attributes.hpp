// Reading DWARF attributes defensively: every helper returns "absent" rather than trusting a
// malformed attribute.
#pragma once

#include <dwarf.h>
#include <elfutils/libdw.h>

#include <optional>

namespace shminspect {

inline std::optional<Dwarf_Word> udata(Dwarf_Die* die, int name) {
  Dwarf_Attribute attr;
  Dwarf_Word value = 0;
  if (dwarf_attr_integrate(die, name, &attr) == nullptr) return std::nullopt;
  if (dwarf_formudata(&attr, &value) != 0) return std::nullopt;
  return value;
}

inline bool type_of(Dwarf_Die* die, Dwarf_Die* out) {
  Dwarf_Attribute attr;
  if (dwarf_attr_integrate(die, DW_AT_type, &attr) == nullptr) return false;
  return dwarf_formref_die(&attr, out) != nullptr;
}

// DW_AT_data_member_location: a constant, or (old producers) DW_OP_plus_uconst N.
inline std::optional<Dwarf_Word> member_location(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  if (dwarf_attr_integrate(die, DW_AT_data_member_location, &attr) == nullptr) return std::nullopt;
  Dwarf_Word value = 0;
  if (dwarf_formudata(&attr, &value) == 0) return value;
  Dwarf_Op* ops = nullptr;
  size_t n = 0;
  if (dwarf_getlocation(&attr, &ops, &n) == 0 && n == 1 && ops[0].atom == DW_OP_plus_uconst) {
    return ops[0].number;
  }
  return std::nullopt;
}


}  // namespace shminspect
