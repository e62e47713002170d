// Small helpers on the layout tree.
#include "shminspect/layout.hpp"

namespace shminspect {

const char* kind_name(FieldKind kind) {
  switch (kind) {
    case FieldKind::Signed: return "signed";
    case FieldKind::Unsigned: return "unsigned";
    case FieldKind::Float: return "float";
    case FieldKind::Bool: return "bool";
    case FieldKind::Char: return "char";
    case FieldKind::Text: return "text";
    case FieldKind::Enum: return "enum";
    case FieldKind::Pointer: return "pointer";
    case FieldKind::Array: return "array";
    case FieldKind::Struct: return "struct";
    case FieldKind::Union: return "union";
    case FieldKind::Bytes: return "bytes";
  }
  return "?";
}

Layout size_flexible_array(const Layout& layout, std::uint64_t segment_size) {
  Layout sized = layout;
  if (sized.root.children.empty()) return sized;
  Field& last = sized.root.children.back();
  if (!last.flexible || last.stride == 0) return sized;
  const std::uint64_t room = segment_size > last.offset ? segment_size - last.offset : 0;
  last.count = room / last.stride;
  last.size = last.count * last.stride;
  return sized;
}

}  // namespace shminspect
