// Layout files: a strict subset of Kaitai Struct's .ksy YAML with explicit offsets (C structs
// have padding), for programs without debug info. The format is documented in docs/INSPECT.md.
//
//   meta: {id: my_block, endian: le, size: 64}      # size = sizeof(the struct)
//   seq:
//     - {id: seq, type: u8, offset: 0}
//     - {id: state, type: u4, offset: 8, enum: state}
//     - {id: name, type: str, size: 16, offset: 12, encoding: UTF-8}
//     - {id: samples, type: f4, offset: 28, repeat: expr, repeat-expr: 4}
//     - {id: flags, type: b3, offset: 44, bit-offset: 0, storage: 4}
//     - {id: pos, type: point, offset: 48}
//   types: {point: {meta: {size: 8}, seq: [...]}}    # offsets inside a type are relative
//   enums: {state: {0: idle, 1: running, 2: ERROR}}
#pragma once

#include <string>

#include "shminspect/layout.hpp"

namespace shminspect {

// Throws InspectError(BadLayout) naming the line (and column) and the problem: unknown key,
// unknown type, missing offset, field out of the struct's size, two fields overlapping.
Layout parse_layout_file(const std::string& text, const std::string& name_for_errors = "layout");
Layout load_layout_file(const std::string& path);

// Writes a layout file that parse_layout_file reads back to an equal layout (round trip).
std::string emit_layout_file(const Layout& layout);

// Structural equality (names, kinds, offsets, sizes, bits, counts, enumerators, children);
// returns "" if equal, else the first difference ("seq.x: offset 4 vs 8").
std::string compare_layouts(const Layout& a, const Layout& b);

}  // namespace shminspect
