// Compiled to an object file only (never linked): the tests read demo::Sample from a
// relocatable ELF, whose DWARF needs its relocations applied.
#include "inspect_target_types.hpp"

demo::Sample g_object_sample;
KSharedMemory g_object_ksm;

// C++ shapes a C struct does not have: a base class and an anonymous union member.
namespace demo {
struct Base {
  std::uint32_t id;
};
struct Derived : Base {
  union {
    std::int32_t i;
    float f;
  };
  std::uint16_t tail;
};
}  // namespace demo

demo::Derived g_object_derived;
