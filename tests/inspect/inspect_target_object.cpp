// Compiled to an object file only (never linked): the tests read demo::Sample from a
// relocatable ELF, whose DWARF needs its relocations applied.
#include "inspect_target_types.hpp"

demo::Sample g_object_sample;
KSharedMemory g_object_ksm;
