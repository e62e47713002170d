// DWARF type DIEs to a layout tree. Everything here distrusts the DWARF (fuzzed): depth is
// bounded, sizes are checked, and anything not understood becomes opaque bytes.
#include "dwarf_type_builder.hpp"

#include <dwarf.h>

#include <cctype>
#include <optional>
#include <vector>

#include "dwarf_attributes.hpp"

namespace shminspect {
namespace {

constexpr int kMaxDepth = 48;

// "ns::Base<int>" -> "Base_int_": the last component, with letters, digits and '_' only.
std::string identifier(const std::string& type) {
  std::string tail = type;
  const auto angle = tail.find('<');
  const auto colon = tail.rfind("::", angle);
  if (colon != std::string::npos) tail = tail.substr(colon + 2);
  std::string out;
  for (const char c : tail) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out.empty() ? "anonymous" : out;
}

class Builder {
 public:
  Builder(const DwarfFile& file, std::size_t max_fields) : file_(file), max_fields_(max_fields) {}

  Field build(Dwarf_Die type, const std::string& name, std::uint64_t offset, int depth) {
    Field f;
    f.name = name;
    f.offset = offset;
    // Counted first: a "(too deep)" leaf is a field too, and a DAG 48 deep makes thousands.
    if (++fields_ > max_fields_) {
      f.type_name = "(not expanded: over " + std::to_string(max_fields_) + " fields)";
      return f;
    }
    if (depth > kMaxDepth) {
      f.type_name = "(too deep)";
      return f;
    }
    // Peel typedefs and qualifiers; the first name met is the one the source used.
    std::string spelled;
    for (int hops = 0; hops < 64; ++hops) {
      const int tag = dwarf_tag(&type);
      if (tag == DW_TAG_typedef || tag == DW_TAG_const_type || tag == DW_TAG_volatile_type ||
          tag == DW_TAG_restrict_type || tag == DW_TAG_atomic_type) {
        if (tag == DW_TAG_typedef && spelled.empty()) spelled = file_.qualified_name(&type);
        if (tag == DW_TAG_atomic_type) f.atomic = true;
        Dwarf_Die next;
        if (!type_of(&type, &next)) {
          f.type_name = spelled.empty() ? "void" : spelled;
          return f;
        }
        type = next;
        continue;
      }
      break;
    }
    f.type_name = spelled.empty() ? type_name(&type, 0) : spelled;
    const int tag = dwarf_tag(&type);
    const auto byte_size = udata(&type, DW_AT_byte_size);
    switch (tag) {
      case DW_TAG_base_type:
        base(&type, f, byte_size.value_or(0));
        return f;
      case DW_TAG_enumeration_type:
        enumeration(&type, f, byte_size.value_or(0));
        return f;
      case DW_TAG_pointer_type:
      case DW_TAG_reference_type:
      case DW_TAG_rvalue_reference_type:
      case DW_TAG_ptr_to_member_type:
        f.kind = FieldKind::Pointer;
        f.size = byte_size.value_or(8);
        return f;
      case DW_TAG_array_type:
        array(&type, f, depth);
        return f;
      case DW_TAG_structure_type:
      case DW_TAG_class_type:
      case DW_TAG_union_type:
        aggregate(type, f, depth);
        return f;
      default:
        f.kind = FieldKind::Bytes;
        f.size = byte_size.value_or(0);
        return f;
    }
  }

 private:
  std::string type_name(Dwarf_Die* type, int depth) {
    if (depth > 16) return "?";
    Dwarf_Die inner;
    const bool has_inner = type_of(type, &inner);
    switch (dwarf_tag(type)) {
      case DW_TAG_pointer_type:
        return (has_inner ? type_name(&inner, depth + 1) : "void") + "*";
      case DW_TAG_reference_type:
        return (has_inner ? type_name(&inner, depth + 1) : "void") + "&";
      case DW_TAG_const_type:
        return "const " + (has_inner ? type_name(&inner, depth + 1) : "void");
      case DW_TAG_volatile_type:
        return "volatile " + (has_inner ? type_name(&inner, depth + 1) : "void");
      case DW_TAG_atomic_type:
        return "_Atomic " + (has_inner ? type_name(&inner, depth + 1) : "void");
      case DW_TAG_array_type: {
        std::string dims;
        Dwarf_Die sub;
        if (dwarf_child(type, &sub) == 0) {
          do {
            if (dwarf_tag(&sub) != DW_TAG_subrange_type) continue;
            const auto count = subrange_count(&sub);
            dims += '[';
            if (count) dims += std::to_string(*count);
            dims += ']';
          } while (dwarf_siblingof(&sub, &sub) == 0);
        }
        return (has_inner ? type_name(&inner, depth + 1) : "?") + dims;
      }
      default: {
        const std::string name = file_.qualified_name(type);
        return name.empty() ? "(anonymous)" : name;
      }
    }
  }

  static std::optional<std::uint64_t> subrange_count(Dwarf_Die* sub) {
    if (const auto count = udata(sub, DW_AT_count)) return *count;
    Dwarf_Attribute attr;
    if (dwarf_attr_integrate(sub, DW_AT_upper_bound, &attr) != nullptr) {
      Dwarf_Sword upper = 0;
      if (dwarf_formsdata(&attr, &upper) == 0 && upper >= 0) {
        const auto lower = udata(sub, DW_AT_lower_bound).value_or(0);
        if (static_cast<Dwarf_Word>(upper) + 1 >= lower) return static_cast<Dwarf_Word>(upper) + 1 - lower;
      }
    }
    return std::nullopt;
  }

  static bool plain_char(Dwarf_Die* type) {
    const char* name = dwarf_diename(type);
    return name != nullptr && (std::string(name) == "char" || std::string(name) == "char8_t");
  }

  static void base(Dwarf_Die* type, Field& f, std::uint64_t size) {
    f.size = size;
    switch (udata(type, DW_AT_encoding).value_or(0)) {
      case DW_ATE_boolean:
        f.kind = FieldKind::Bool;
        return;
      case DW_ATE_float:
        f.kind = (size == 4 || size == 8) ? FieldKind::Float : FieldKind::Bytes;
        return;
      // Only plain `char` is a character (arrays of it are text); signed and unsigned char
      // (int8_t, uint8_t) are small integers.
      case DW_ATE_signed_char:
        f.kind = size == 1 && plain_char(type) ? FieldKind::Char : FieldKind::Signed;
        f.is_signed = true;
        return;
      case DW_ATE_unsigned_char:
        f.kind = size == 1 && plain_char(type) ? FieldKind::Char : FieldKind::Unsigned;
        return;
      case DW_ATE_signed:
        f.kind = size <= 8 ? FieldKind::Signed : FieldKind::Bytes;
        f.is_signed = true;
        return;
      case DW_ATE_unsigned:
      case DW_ATE_UTF:
        f.kind = size <= 8 ? FieldKind::Unsigned : FieldKind::Bytes;
        return;
      default:
        f.kind = FieldKind::Bytes;
        return;
    }
  }

  static void enumeration(Dwarf_Die* type, Field& f, std::uint64_t size) {
    f.kind = FieldKind::Enum;
    f.size = size;
    Dwarf_Die underlying;
    if (type_of(type, &underlying)) {
      Dwarf_Die peeled;
      if (dwarf_peel_type(&underlying, &peeled) == 0) {
        const auto enc = udata(&peeled, DW_AT_encoding).value_or(DW_ATE_signed);
        f.is_signed = enc == DW_ATE_signed || enc == DW_ATE_signed_char;
      }
    } else {
      f.is_signed = true;  // C enums without DW_AT_type: int
    }
    Dwarf_Die e;
    if (dwarf_child(type, &e) != 0) return;
    do {
      if (dwarf_tag(&e) != DW_TAG_enumerator) continue;
      Dwarf_Attribute attr;
      if (dwarf_attr(&e, DW_AT_const_value, &attr) == nullptr) continue;
      Enumerator en;
      const char* name = dwarf_diename(&e);
      en.name = name ? name : "?";
      if (f.is_signed) {
        Dwarf_Sword v = 0;
        if (dwarf_formsdata(&attr, &v) != 0) continue;
        en.value = v;
      } else {
        Dwarf_Word v = 0;
        if (dwarf_formudata(&attr, &v) != 0) continue;
        en.value = static_cast<std::int64_t>(v);
      }
      if (f.enumerators.size() < 100000) f.enumerators.push_back(std::move(en));
    } while (dwarf_siblingof(&e, &e) == 0);
  }

  void array(Dwarf_Die* type, Field& f, int depth) {
    std::vector<std::optional<std::uint64_t>> dims;
    Dwarf_Die sub;
    if (dwarf_child(type, &sub) == 0) {
      do {
        if (dwarf_tag(&sub) == DW_TAG_subrange_type) dims.push_back(subrange_count(&sub));
      } while (dwarf_siblingof(&sub, &sub) == 0 && dims.size() < 16);
    }
    if (dims.empty()) dims.push_back(std::nullopt);
    Dwarf_Die elem_type;
    if (!type_of(type, &elem_type)) {
      f.kind = FieldKind::Bytes;
      return;
    }
    // Innermost dimension first: an array of the element, then arrays of that.
    Field element = build(elem_type, "", f.offset, depth + 1);
    for (std::size_t i = dims.size(); i-- > 0;) {
      // Each dimension past the first is a field of its own: counted, or a DAG of
      // multi-dimensional arrays would build 16 fields per one counted.
      if (i > 0) ++fields_;
      Field level;
      level.offset = f.offset;
      level.type_name = i == 0 ? f.type_name : element.type_name + "[]";
      const std::uint64_t count = dims[i].value_or(0);
      level.count = count;
      level.stride = element.size;
      level.flexible = !dims[i].has_value() && i == 0;
      if (element.stride == 0 && element.size == 0 && element.kind != FieldKind::Struct) {
        level.stride = 0;
      }
      level.size = element.size != 0 && count <= UINT64_MAX / element.size ? count * element.size : 0;
      if (element.kind == FieldKind::Char && i + 1 == dims.size()) {
        level.kind = FieldKind::Text;
        level.is_signed = element.is_signed;
        level.atomic = element.atomic;
      } else {
        level.kind = FieldKind::Array;
        level.children.push_back(std::move(element));
      }
      element = std::move(level);
    }
    element.name = f.name;
    element.atomic = element.atomic || f.atomic;
    f = std::move(element);
  }

  void aggregate(Dwarf_Die type, Field& f, int depth) {
    if (dwarf_hasattr(&type, DW_AT_declaration)) {
      // A member typed by a forward declaration: find the definition by name.
      const auto& types = file_.types();
      const auto it = types.find(file_.qualified_name(&type));
      if (it != types.end() && !it->second.empty()) {
        Dwarf_Die def = it->second.front();
        Dwarf_Die peeled;
        if (dwarf_peel_type(&def, &peeled) == 0) type = peeled;
      }
    }
    const bool is_union = dwarf_tag(&type) == DW_TAG_union_type;
    f.kind = is_union ? FieldKind::Union : FieldKind::Struct;
    f.size = udata(&type, DW_AT_byte_size).value_or(0);
    Dwarf_Die m;
    if (dwarf_child(&type, &m) == 0) {
      do {
        const int tag = dwarf_tag(&m);
        if (tag != DW_TAG_member && tag != DW_TAG_inheritance) continue;
        if (dwarf_hasattr(&m, DW_AT_external) || dwarf_hasattr(&m, DW_AT_declaration)) continue;
        Dwarf_Die mtype;
        if (!type_of(&m, &mtype)) continue;
        const auto location = member_location(&m);
        if (!location && !is_union && !dwarf_hasattr(&m, DW_AT_data_bit_offset)) continue;
        const char* raw = dwarf_diename(&m);
        std::string name = raw ? raw : "";
        // Names that are identifiers, so that a layout file can carry them too.
        if (tag == DW_TAG_inheritance) name = "base_" + identifier(type_name(&mtype, 0));
        if (name.empty()) name = "anon_" + std::to_string(f.children.size());
        Field child = build(mtype, name, f.offset + location.value_or(0), depth + 1);
        if (const auto bits = udata(&m, DW_AT_bit_size)) bitfield(&m, child, f.offset, *bits, location);
        f.children.push_back(std::move(child));
      } while (dwarf_siblingof(&m, &m) == 0);
    }
    collapse_atomic(f, file_.qualified_name(&type));
  }

  // DWARF 5 gives DW_AT_data_bit_offset (from the struct's start); DWARF 4 gives the storage
  // unit's offset plus DW_AT_bit_offset counted from its most significant bit. libdw 0.188's
  // dwarf_bitoffset reads only the latter, so both are read here.
  static void bitfield(Dwarf_Die* m, Field& f, std::uint64_t struct_offset, std::uint64_t bits,
                       std::optional<Dwarf_Word> location) {
    const std::uint64_t unit = f.size == 0 ? 1 : f.size;
    std::uint64_t data_bit_offset = 0;
    if (const auto dbo = udata(m, DW_AT_data_bit_offset)) {
      data_bit_offset = *dbo;
    } else {
      const std::uint64_t storage = udata(m, DW_AT_byte_size).value_or(unit);
      const std::uint64_t msb_offset = udata(m, DW_AT_bit_offset).value_or(0);
      const std::uint64_t base = location.value_or(0) * 8 + storage * 8;
      if (base < msb_offset + bits) return;  // nonsense: leave it as a whole member
      data_bit_offset = base - msb_offset - bits;
    }
    if (bits == 0 || bits > 64) return;
    std::uint64_t start = (data_bit_offset / 8) / unit * unit;
    std::uint64_t size = unit;
    if (start * 8 + size * 8 < data_bit_offset + bits) {
      start = data_bit_offset / 8;
      size = (data_bit_offset % 8 + bits + 7) / 8;
    }
    f.offset = struct_offset + start;
    f.size = size;
    f.bit_offset = static_cast<std::uint32_t>(data_bit_offset - start * 8);
    f.bit_size = static_cast<std::uint32_t>(bits);
  }

  // libstdc++'s std::atomic<T> is a struct around one member (_M_i, _M_base._M_i, _M_p, _M_fp):
  // a std::atomic whose one leaf covers its whole size is shown as that leaf, badged atomic.
  static void collapse_atomic(Field& f, const std::string& qualified) {
    if (qualified.rfind("std::atomic<", 0) != 0 && qualified.rfind("std::__atomic", 0) != 0) {
      return;
    }
    const Field* leaf = &f;
    while ((leaf->kind == FieldKind::Struct || leaf->kind == FieldKind::Union) &&
           leaf->children.size() == 1) {
      leaf = &leaf->children.front();
    }
    if (leaf == &f || leaf->kind == FieldKind::Struct || leaf->kind == FieldKind::Union ||
        leaf->size != f.size || leaf->offset != f.offset || leaf->is_bitfield()) {
      return;
    }
    Field collapsed = *leaf;
    collapsed.name = f.name;
    collapsed.type_name = f.type_name;
    collapsed.atomic = true;
    f = std::move(collapsed);
  }

  const DwarfFile& file_;
  const std::size_t max_fields_;
  std::size_t fields_ = 0;
};

}  // namespace

Field build_type_field(const DwarfFile& file, Dwarf_Die type, const std::string& name,
                       std::uint64_t offset, std::size_t max_fields) {
  return Builder(file, max_fields).build(type, name, offset, 0);
}

}  // namespace shminspect
