// The description of a user's struct: a tree of fields with byte offsets, whether it came from
// DWARF debug info (dwarf_layout.hpp) or from a layout file (layout_file.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace shminspect {

enum class FieldKind {
  Signed,    // signed integer (also a signed bit-field)
  Unsigned,  // unsigned integer (also an unsigned bit-field)
  Float,     // IEEE float or double (size 4 or 8)
  Bool,
  Char,      // a single char
  Text,      // an array of char: shown as text when valid UTF-8, bytes otherwise
  Enum,      // an integer with enumerator names (Field::enumerators; signedness in is_signed)
  Pointer,   // an address, shown in hex and never followed
  Array,     // count elements of children[0], stride bytes apart
  Struct,    // children at their own offsets
  Union,     // children all at this offset
  Bytes,     // opaque bytes (unknown type, or `size:` without a type in a layout file)
};

const char* kind_name(FieldKind kind);  // "signed", "unsigned", ... as used in layout files

struct Enumerator {
  std::string name;
  std::int64_t value = 0;  // unsigned enumerators above INT64_MAX are stored bit-for-bit
};

struct Field {
  std::string name;       // member name ("" for an array element template)
  std::string type_name;  // as the source spells it: "std::uint32_t", "Mode", "Point[4]"
  FieldKind kind = FieldKind::Bytes;
  std::uint64_t offset = 0;  // bytes from the start of the segment (absolute, not relative)
  std::uint64_t size = 0;    // bytes; a flexible array member has size 0 until sized
  bool is_signed = false;    // for Enum (and Char): how to read the underlying integer

  // Bit-fields: bit_size > 0. The value is bit_size bits starting bit_offset bits above the
  // least significant bit of the little-endian storage unit [offset, offset + size).
  std::uint32_t bit_offset = 0;
  std::uint32_t bit_size = 0;

  // Array and Text: element count and distance between elements. children[0] is the element
  // (for Array) placed at this field's offset; element i is at offset + i * stride.
  std::uint64_t count = 0;
  std::uint64_t stride = 0;
  bool flexible = false;  // a flexible array member (`T items[];`): count comes from the segment

  bool atomic = false;  // std::atomic<T> shown as its T
  std::vector<Enumerator> enumerators;
  std::vector<Field> children;  // Struct/Union members, Array element

  bool is_bitfield() const { return bit_size != 0; }
  bool is_leaf() const { return children.empty() && kind != FieldKind::Array; }
};

struct Layout {
  std::string type_name;  // qualified: "ns::MyBlock"
  std::uint64_t size = 0;  // sizeof(type) (flexible array members not included)
  Field root;              // kind Struct or Union, offset 0, name = type_name
  std::string source;      // "DWARF of ./mybinary" or "layout file shm.ksy"
  std::string build_id;    // hex build-id of the ELF when known, else ""
  std::vector<std::string> notes;  // things the reader decided the user should know
};

// Gives a flexible array member (the last member, count 0) as many elements as fit in
// `segment_size` bytes; returns a copy. A layout without one is returned unchanged.
Layout size_flexible_array(const Layout& layout, std::uint64_t segment_size);

// Calls `visit(field, path, depth)` for every field in pre-order; arrays are visited as one
// field plus their element template (path "items[]"). Paths are "a.b", "items[].x".
template <typename Visit>
void for_each_field(const Field& field, const std::string& path, int depth, Visit&& visit) {
  visit(field, path, depth);
  for (const auto& child : field.children) {
    const std::string child_path =
        field.kind == FieldKind::Array ? path + "[]"
                                       : (path.empty() ? child.name : path + "." + child.name);
    for_each_field(child, child_path, depth + 1, visit);
  }
}

}  // namespace shminspect
