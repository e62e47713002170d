// Writing a layout as a layout file (so that a layout read from DWARF can be kept, edited and
// used without the binary), and comparing two layouts for the round-trip test.
#include <yaml-cpp/yaml.h>

#include <map>

#include "shminspect/layout_file.hpp"

namespace shminspect {
namespace {

std::string identifier_of(const std::string& type_name) {
  std::string out;
  for (const char c : type_name) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out.front()))) out = "t_" + out;
  return out;
}

class Emitter {
 public:
  std::string emit(const Layout& layout) {
    YAML::Emitter body;
    body << YAML::BeginMap;
    body << YAML::Key << "meta" << YAML::Value << YAML::BeginMap;
    body << YAML::Key << "id" << YAML::Value << identifier_of(layout.type_name);
    body << YAML::Key << "endian" << YAML::Value << "le";
    body << YAML::Key << "-size" << YAML::Value << layout.root.size;
    body << YAML::Key << "-c-type" << YAML::Value << layout.root.type_name;
    if (layout.root.kind == FieldKind::Union) body << YAML::Key << "-union" << YAML::Value << true;
    body << YAML::EndMap;
    body << YAML::Key << "seq" << YAML::Value;
    seq(body, layout.root);
    if (!types_.empty()) {
      body << YAML::Key << "types" << YAML::Value << YAML::BeginMap;
      for (const auto& [name, text] : type_order_) body << YAML::Key << name << YAML::Value << YAML::Load(text);
      body << YAML::EndMap;
    }
    if (!enums_.empty()) {
      body << YAML::Key << "enums" << YAML::Value << YAML::BeginMap;
      for (const auto& [name, values] : enum_order_) {
        body << YAML::Key << name << YAML::Value << YAML::BeginMap;
        for (const auto& e : *values) body << YAML::Key << e.value << YAML::Value << e.name;
        body << YAML::EndMap;
      }
      body << YAML::EndMap;
    }
    body << YAML::EndMap;
    std::string header = "# Layout of " + layout.type_name + " (" + std::to_string(layout.size) +
                         " bytes)";
    if (!layout.source.empty()) header += ", written from " + layout.source;
    if (!layout.build_id.empty()) header += ", build-id " + layout.build_id;
    return header + "\n# Format: docs/INSPECT.md (a subset of Kaitai Struct .ksy with explicit offsets)\n" +
           body.c_str() + "\n";
  }

 private:
  void seq(YAML::Emitter& out, const Field& s) {
    out << YAML::BeginSeq;
    for (const auto& c : s.children) field(out, c, s.offset);
    out << YAML::EndSeq;
  }

  void field(YAML::Emitter& out, const Field& f, std::uint64_t base) {
    out << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "id" << YAML::Value << f.name;
    // Arrays: the innermost element's type, with repeat and -inner-dims.
    const Field* element = &f;
    std::vector<std::uint64_t> dims;
    while (element->kind == FieldKind::Array && !element->children.empty()) {
      dims.push_back(element->count);
      element = &element->children.front();
    }
    scalar_type(out, *element);
    out << YAML::Key << "offset" << YAML::Value << (f.offset - base);
    if (!dims.empty()) {
      out << YAML::Key << "repeat" << YAML::Value << (f.flexible ? "eos" : "expr");
      if (!f.flexible) out << YAML::Key << "repeat-expr" << YAML::Value << dims.front();
      if (dims.size() > 1) {
        out << YAML::Key << "-inner-dims" << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (std::size_t i = 1; i < dims.size(); ++i) out << dims[i];
        out << YAML::EndSeq;
      }
      if (f.stride != f.children.front().size) out << YAML::Key << "-stride" << YAML::Value << f.stride;
    }
    out << YAML::Key << "-c-type" << YAML::Value << f.type_name;
    if (f.atomic || element->atomic) out << YAML::Key << "-atomic" << YAML::Value << true;
    out << YAML::EndMap;
  }

  void scalar_type(YAML::Emitter& out, const Field& f) {
    const auto integer = [&](bool is_signed) {
      if (f.is_bitfield()) {
        out << YAML::Key << "type" << YAML::Value << std::string("b").append(std::to_string(f.bit_size));
        out << YAML::Key << "bit-offset" << YAML::Value << f.bit_offset;
        out << YAML::Key << "-storage" << YAML::Value << f.size;
        if (is_signed) out << YAML::Key << "-signed" << YAML::Value << true;
      } else {
        out << YAML::Key << "type" << YAML::Value << std::string(is_signed ? "s" : "u") + std::to_string(f.size);
      }
    };
    switch (f.kind) {
      case FieldKind::Signed: integer(true); return;
      case FieldKind::Unsigned: integer(false); return;
      case FieldKind::Bool:
        integer(false);
        out << YAML::Key << "-kind" << YAML::Value << "bool";
        return;
      case FieldKind::Char:
        integer(f.is_signed);
        out << YAML::Key << "-kind" << YAML::Value << "char";
        return;
      case FieldKind::Pointer:
        integer(false);
        out << YAML::Key << "-kind" << YAML::Value << "pointer";
        return;
      case FieldKind::Enum:
        integer(f.is_signed);
        out << YAML::Key << "enum" << YAML::Value << enum_name(f);
        return;
      case FieldKind::Float:
        out << YAML::Key << "type" << YAML::Value << (f.size == 4 ? "f4" : "f8");
        return;
      case FieldKind::Text:
        out << YAML::Key << "type" << YAML::Value << "str";
        out << YAML::Key << "size" << YAML::Value << f.size;
        out << YAML::Key << "encoding" << YAML::Value << "UTF-8";
        if (!f.is_signed) out << YAML::Key << "-signed" << YAML::Value << false;
        return;
      case FieldKind::Struct:
      case FieldKind::Union:
        out << YAML::Key << "type" << YAML::Value << type_name(f);
        return;
      case FieldKind::Array:  // an array without element: opaque
      case FieldKind::Bytes:
        out << YAML::Key << "size" << YAML::Value << f.size;
        return;
    }
  }

  // One entry under `types` per distinct body; same name with another body gets a suffix.
  std::string type_name(const Field& s) {
    YAML::Emitter body;
    body << YAML::BeginMap << YAML::Key << "meta" << YAML::Value << YAML::BeginMap;
    body << YAML::Key << "-size" << YAML::Value << s.size;
    body << YAML::Key << "-c-type" << YAML::Value << s.type_name;
    if (s.kind == FieldKind::Union) body << YAML::Key << "-union" << YAML::Value << true;
    body << YAML::EndMap << YAML::Key << "seq" << YAML::Value;
    seq(body, s);
    body << YAML::EndMap;
    const std::string text = body.c_str();
    const auto known = types_.find(text);
    if (known != types_.end()) return known->second;
    std::string name = identifier_of(s.type_name);
    for (int n = 2; used_.count(name) != 0; ++n) name = identifier_of(s.type_name) + "_" + std::to_string(n);
    used_.insert({name, 0});
    types_[text] = name;
    type_order_.emplace_back(name, text);
    return name;
  }

  std::string enum_name(const Field& f) {
    std::string key = f.type_name + "\n";
    for (const auto& e : f.enumerators) key += std::to_string(e.value) + "=" + e.name + "\n";
    const auto known = enums_.find(key);
    if (known != enums_.end()) return known->second;
    std::string name = identifier_of(f.type_name);
    for (int n = 2; used_.count(name) != 0; ++n) name = identifier_of(f.type_name) + "_" + std::to_string(n);
    used_.insert({name, 0});
    enums_[key] = name;
    enum_order_.emplace_back(name, &f.enumerators);
    return name;
  }

  std::map<std::string, std::string> types_;  // body -> name
  std::vector<std::pair<std::string, std::string>> type_order_;
  std::map<std::string, std::string> enums_;
  std::vector<std::pair<std::string, const std::vector<Enumerator>*>> enum_order_;
  std::map<std::string, int> used_;
};

std::string compare_fields(const Field& a, const Field& b, const std::string& path) {
  const std::string here = path.empty() ? "(root)" : path;
  const auto differ = [&](const std::string& what, const std::string& x, const std::string& y) {
    return here + ": " + what + " " + x + " vs " + y;
  };
  if (a.name != b.name) return differ("name", a.name, b.name);
  if (a.kind != b.kind) return differ("kind", kind_name(a.kind), kind_name(b.kind));
  // An array element's C type name is not kept in the file (only the array's is).
  const bool element = path.size() >= 2 && path.compare(path.size() - 2, 2, "[]") == 0;
  if (!element && a.type_name != b.type_name) return differ("type", a.type_name, b.type_name);
  if (a.offset != b.offset) return differ("offset", std::to_string(a.offset), std::to_string(b.offset));
  if (a.size != b.size) return differ("size", std::to_string(a.size), std::to_string(b.size));
  if (a.bit_offset != b.bit_offset || a.bit_size != b.bit_size) {
    return differ("bits", std::to_string(a.bit_offset) + "+" + std::to_string(a.bit_size),
                  std::to_string(b.bit_offset) + "+" + std::to_string(b.bit_size));
  }
  if (a.count != b.count || a.stride != b.stride || a.flexible != b.flexible) {
    return differ("count/stride", std::to_string(a.count) + "/" + std::to_string(a.stride),
                  std::to_string(b.count) + "/" + std::to_string(b.stride));
  }
  if (a.atomic != b.atomic) return differ("atomic", a.atomic ? "yes" : "no", b.atomic ? "yes" : "no");
  if ((a.kind == FieldKind::Enum || a.kind == FieldKind::Char || a.kind == FieldKind::Text) &&
      a.is_signed != b.is_signed) {
    return differ("signedness", a.is_signed ? "signed" : "unsigned", b.is_signed ? "signed" : "unsigned");
  }
  if (a.enumerators.size() != b.enumerators.size()) {
    return differ("enumerators", std::to_string(a.enumerators.size()), std::to_string(b.enumerators.size()));
  }
  for (std::size_t i = 0; i < a.enumerators.size(); ++i) {
    if (a.enumerators[i].name != b.enumerators[i].name || a.enumerators[i].value != b.enumerators[i].value) {
      return differ("enumerator", a.enumerators[i].name, b.enumerators[i].name);
    }
  }
  if (a.children.size() != b.children.size()) {
    return differ("members", std::to_string(a.children.size()), std::to_string(b.children.size()));
  }
  for (std::size_t i = 0; i < a.children.size(); ++i) {
    const std::string child = a.kind == FieldKind::Array ? path + "[]"
                                                         : (path.empty() ? "" : path + ".") + a.children[i].name;
    const std::string d = compare_fields(a.children[i], b.children[i], child);
    if (!d.empty()) return d;
  }
  return "";
}

}  // namespace

std::string emit_layout_file(const Layout& layout) { return Emitter().emit(layout); }

std::string compare_layouts(const Layout& a, const Layout& b) {
  if (a.size != b.size) return "size " + std::to_string(a.size) + " vs " + std::to_string(b.size);
  Field ra = a.root, rb = b.root;
  ra.name = rb.name = "";
  return compare_fields(ra, rb, "");
}

}  // namespace shminspect
