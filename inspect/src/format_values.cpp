// Renderings of decoded values for the terminal (`shmipc inspect`) and for scripts (--json).
#include <cstdio>

#include <nlohmann/json.hpp>

#include "shminspect/decode.hpp"

namespace shminspect {

std::string format_values_text(const std::vector<DecodedValue>& values) {
  std::size_t width = 0;
  for (const auto& v : values) {
    const std::size_t w = static_cast<std::size_t>(v.depth) * 2 + v.path.size();
    if (w < 48) width = std::max(width, w);
  }
  std::string out;
  for (const auto& v : values) {
    const auto& f = *v.field;
    // The last component, indented: "x" for "a.x", "[3]" for "items[3]".
    std::string leaf = v.path;
    if (v.depth > 0) {
      const auto bracket = v.path.back() == ']' ? v.path.rfind('[') : std::string::npos;
      const auto dot = v.path.rfind('.');
      if (bracket != std::string::npos && (dot == std::string::npos || bracket > dot)) {
        leaf = v.path.substr(bracket);
      } else if (dot != std::string::npos) {
        leaf = v.path.substr(dot + 1);
      }
    }
    std::string name = std::string(static_cast<std::size_t>(v.depth) * 2, ' ') + leaf;
    if (name.size() < width) name.resize(width, ' ');
    char where[64];
    std::snprintf(where, sizeof where, "@%-5llu %3llu", static_cast<unsigned long long>(v.offset),
                  static_cast<unsigned long long>(v.size));
    out += name + "  " + where;
    if (f.is_bitfield()) {
      out += ':';
      out += std::to_string(f.bit_offset);
      out += '+';
      out += std::to_string(f.bit_size);
    }
    out += "  ";
    if (v.is_container) {
      out += f.kind == FieldKind::Array ? v.text : std::string(kind_name(f.kind)) + " " + f.type_name;
    } else if (!v.available) {
      out += "(not available: beyond the bytes read)";
    } else {
      out += v.text;
      if (f.atomic) out += "  [atomic]";
      if (v.in_flux) out += "  [in flux]";
    }
    out += "\n";
  }
  return out;
}

std::string format_values_json(const Layout& layout, const std::vector<DecodedValue>& values) {
  nlohmann::json fields = nlohmann::json::array();
  for (const auto& v : values) {
    const auto& f = *v.field;
    nlohmann::json j{{"path", v.path},       {"offset", v.offset},      {"size", v.size},
                     {"kind", kind_name(f.kind)}, {"type", f.type_name}, {"available", v.available}};
    if (f.is_bitfield()) {
      j["bit_offset"] = f.bit_offset;
      j["bit_size"] = f.bit_size;
    }
    if (f.atomic) j["atomic"] = true;
    if (v.in_flux) j["in_flux"] = true;
    if (!v.is_container && v.available) {
      j["text"] = v.text;
      if (f.kind == FieldKind::Bool && v.as_unsigned) {
        j["value"] = *v.as_unsigned != 0;
      } else if (f.kind == FieldKind::Float && v.number) {
        j["value"] = *v.number;
      } else if (v.as_unsigned && f.kind != FieldKind::Signed) {
        j["value"] = *v.as_unsigned;
      } else if (v.as_signed) {
        j["value"] = *v.as_signed;
      }
      if (!v.enumerator.empty()) j["enumerator"] = v.enumerator;
    }
    if (f.kind == FieldKind::Array) j["count"] = f.count;
    fields.push_back(std::move(j));
  }
  nlohmann::json doc{{"type", layout.type_name}, {"size", layout.size}, {"source", layout.source},
                     {"fields", std::move(fields)}};
  if (!layout.build_id.empty()) doc["build_id"] = layout.build_id;
  return doc.dump(2) + "\n";
}

}  // namespace shminspect
