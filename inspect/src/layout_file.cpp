// Reading layout files: a strict subset of Kaitai Struct's .ksy with explicit offsets (see
// docs/INSPECT.md). Strict means every key is known, every number checked, every field inside
// its struct and no two overlapping; each error names the line.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

#include "layout_file_keys.hpp"
#include "layout_file_yaml.hpp"
#include "utf8.hpp"
#include "shminspect/error.hpp"
#include "shminspect/layout_file.hpp"

namespace shminspect {
namespace {

constexpr int kMaxTypeDepth = 32;
constexpr std::uint64_t kMaxSize = 1ull << 40;  // 1 TiB: larger is a typo, not a segment

class Parser {
 public:
  Parser(const YAML::Node& doc, std::string name) : doc_(doc), name_(name), yaml_(std::move(name)) {}

  Layout parse() {
    if (!doc_.IsMap()) yaml_.fail(doc_, "the file must be a map with 'meta' and 'seq'");
    yaml_.check_keys(doc_, {"meta", "seq", "types", "enums", "doc"});
    if (doc_["types"]) {
      if (!doc_["types"].IsMap()) yaml_.fail(doc_["types"], "'types' must be a map of name: {meta, seq}");
    }
    if (doc_["enums"]) read_enums(doc_["enums"]);
    const YAML::Node meta = doc_["meta"];
    if (!meta) yaml_.fail(doc_, "missing 'meta' (with 'id')");
    if (!meta["id"]) yaml_.fail(meta, "missing 'meta.id'");
    Layout layout;
    layout.root = type_body(doc_, yaml_.identifier(meta["id"], "meta.id"), 0, 0);
    layout.type_name = layout.root.type_name;
    layout.root.name = layout.type_name;
    layout.size = layout.root.size;
    layout.source = "layout file " + name_;
    return layout;
  }

 private:

  void read_enums(const YAML::Node& enums) {
    if (!enums.IsMap()) yaml_.fail(enums, "'enums' must be a map of name: {value: name}");
    for (const auto& kv : enums) {
      const std::string name = yaml_.identifier(kv.first, "enum name");
      if (!kv.second.IsMap()) yaml_.fail(kv.second, "enum '" + name + "' must be a map of value: name");
      std::vector<Enumerator> values;
      for (const auto& e : kv.second) {
        Enumerator en;
        en.value = yaml_.signed_number(e.first, "enum value");
        if (e.second.IsMap()) {
          yaml_.check_keys(e.second, {"id", "doc"});
          if (!e.second["id"]) yaml_.fail(e.second, "missing 'id' of the enumerator");
          en.name = yaml_.text(e.second["id"], "enumerator id");
        } else {
          en.name = yaml_.text(e.second, "enumerator name");
        }
        values.push_back(std::move(en));
      }
      enums_[name] = std::move(values);
    }
  }

  // A struct or union body (the file's top level or an entry of `types`) at `base`.
  Field type_body(const YAML::Node& spec, const std::string& name, std::uint64_t base, int depth) {
    if (depth > kMaxTypeDepth) yaml_.fail(spec, "types nested more than 32 deep");
    Field f;
    f.offset = base;
    f.type_name = name;
    f.kind = FieldKind::Struct;
    bool have_size = false;
    if (const YAML::Node meta = spec["meta"]) {
      if (!meta.IsMap()) yaml_.fail(meta, "'meta' must be a map");
      yaml_.check_keys(meta, {"id", "endian", "title", "-size", "-c-type", "-union"});
      if (meta["endian"] && yaml_.text(meta["endian"], "endian") != "le") {
        yaml_.fail(meta["endian"], "only little-endian layouts ('endian: le') are supported");
      }
      if (meta["-size"]) {
        f.size = yaml_.number(meta["-size"], "-size");
        have_size = true;
      }
      if (meta["-c-type"]) f.type_name = yaml_.text(meta["-c-type"], "-c-type");
      if (meta["-union"] && yaml_.boolean(meta["-union"], "-union")) f.kind = FieldKind::Union;
    }
    if (depth > 0) yaml_.check_keys(spec, {"meta", "seq", "doc"});
    const YAML::Node seq = spec["seq"];
    if (!seq) yaml_.fail(spec, "missing 'seq' (the list of fields)");
    if (!seq.IsSequence()) yaml_.fail(seq, "'seq' must be a list of fields");
    std::set<std::string> ids;
    std::vector<std::pair<const YAML::Node, std::size_t>> where;
    for (std::size_t i = 0; i < seq.size(); ++i) {
      const YAML::Node item = seq[i];
      Field child = field(item, base, depth, i + 1 == seq.size() && depth == 0);
      if (!ids.insert(child.name).second) yaml_.fail(item, "two fields named '" + child.name + "'");
      f.children.push_back(std::move(child));
      where.emplace_back(item, i);
    }
    std::uint64_t end = 0;
    for (const auto& c : f.children) end = std::max(end, c.offset - base + c.size);
    if (!have_size) f.size = end;
    for (std::size_t i = 0; i < f.children.size(); ++i) {
      const Field& c = f.children[i];
      if (c.offset - base + c.size > f.size) {
        yaml_.fail(where[i].first, "field '" + c.name + "' (offset " + std::to_string(c.offset - base) +
                                 ", size " + std::to_string(c.size) + ") ends past the end of '" +
                                 name + "' (" + std::to_string(f.size) + " bytes)");
      }
    }
    if (f.kind == FieldKind::Struct) check_overlaps(f, where);
    return f;
  }

  // Bit ranges, so that bit-fields sharing a storage unit do not count as overlapping.
  void check_overlaps(const Field& s, const std::vector<std::pair<const YAML::Node, std::size_t>>& where) {
    struct Span { std::uint64_t begin, end; std::size_t index; };
    std::vector<Span> spans;
    for (std::size_t i = 0; i < s.children.size(); ++i) {
      const Field& c = s.children[i];
      if (c.size == 0 && !c.is_bitfield()) continue;
      const std::uint64_t begin = c.offset * 8 + c.bit_offset;
      const std::uint64_t bits = c.is_bitfield() ? c.bit_size : c.size * 8;
      spans.push_back({begin, begin + bits, i});
    }
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
    for (std::size_t i = 1; i < spans.size(); ++i) {
      if (spans[i].begin < spans[i - 1].end) {
        const Field& a = s.children[spans[i - 1].index];
        const Field& b = s.children[spans[i].index];
        yaml_.fail(where[spans[i].index].first,
             "field '" + b.name + "' overlaps '" + a.name + "' (bytes " + std::to_string(b.offset - s.offset) +
                 ".." + std::to_string(b.offset - s.offset + std::max<std::uint64_t>(b.size, 1) - 1) +
                 " and " + std::to_string(a.offset - s.offset) + ".." +
                 std::to_string(a.offset - s.offset + std::max<std::uint64_t>(a.size, 1) - 1) +
                 " of '" + s.type_name + "'); use '-union: true' for a union");
      }
    }
  }

  Field field(const YAML::Node& item, std::uint64_t base, int depth, bool last_top_level) {
    if (!item.IsMap()) yaml_.fail(item, "a field must be a map like {id: x, type: u4, offset: 0}");
    yaml_.check_keys(item, kFieldKeys);
    if (!item["id"]) yaml_.fail(item, "a field needs an 'id'");
    const std::string id = yaml_.identifier(item["id"], "id");
    if (!item["offset"]) yaml_.fail(item, "field '" + id + "' needs an 'offset' (bytes from the start of its struct)");
    const std::uint64_t offset = base + yaml_.number(item["offset"], "offset");
    const std::string type = item["type"] ? yaml_.text(item["type"], "type") : "";
    const std::string kind = item["-kind"] ? yaml_.text(item["-kind"], "-kind") : "";
    const YAML::Node where = item["type"] ? item["type"] : item;

    Field element = scalar_or_struct(item, id, type, kind, offset, depth);
    if (item["-c-type"] && !item["repeat"]) element.type_name = yaml_.text(item["-c-type"], "-c-type");
    if (item["-atomic"]) element.atomic = yaml_.boolean(item["-atomic"], "-atomic");

    // repeat: an array of `element` (and -inner-dims for arrays of arrays).
    if (!item["repeat"]) {
      if (item["repeat-expr"] || item["-inner-dims"] || item["-stride"]) {
        yaml_.fail(item, "field '" + id + "': 'repeat-expr', '-inner-dims' and '-stride' need 'repeat'");
      }
      element.name = id;
      return element;
    }
    if (element.is_bitfield()) yaml_.fail(item, "field '" + id + "': a bit-field cannot repeat");
    const std::string repeat = yaml_.text(item["repeat"], "repeat");
    std::vector<std::uint64_t> dims;
    bool flexible = false;
    if (repeat == "expr") {
      if (!item["repeat-expr"]) yaml_.fail(item, "field '" + id + "': 'repeat: expr' needs 'repeat-expr: N'");
      dims.push_back(yaml_.number(item["repeat-expr"], "repeat-expr"));
    } else if (repeat == "eos") {
      if (!last_top_level) yaml_.fail(item["repeat"], "field '" + id + "': 'repeat: eos' (a flexible array) must be the last top-level field");
      flexible = true;
      dims.push_back(0);
    } else {
      yaml_.fail(item["repeat"], "'repeat' must be 'expr' (with repeat-expr) or 'eos' (a flexible array member), not '" + repeat + "'");
    }
    if (const YAML::Node inner = item["-inner-dims"]) {
      if (!inner.IsSequence() || inner.size() == 0 || inner.size() > 8) yaml_.fail(inner, "'-inner-dims' must be a list of 1-8 counts");
      for (const auto& d : inner) dims.push_back(yaml_.number(d, "-inner-dims"));
    }
    for (std::size_t i = dims.size(); i-- > 0;) {
      Field level;
      level.kind = FieldKind::Array;
      level.offset = offset;
      level.count = dims[i];
      level.stride = element.size;
      if (i == 0 && item["-stride"]) {
        level.stride = yaml_.number(item["-stride"], "-stride");
        if (level.stride < element.size) yaml_.fail(item["-stride"], "'-stride' is smaller than the element (" + std::to_string(element.size) + " bytes)");
      }
      if (level.stride != 0 && level.count > kMaxSize / level.stride) yaml_.fail(where, "array '" + id + "' is larger than 1 TiB");
      level.size = level.count * level.stride;
      level.type_name = element.type_name + "[" + std::to_string(dims[i]) + "]";
      element.name.clear();
      level.children.push_back(std::move(element));
      element = std::move(level);
    }
    element.flexible = flexible;
    element.name = id;
    if (item["-c-type"]) element.type_name = yaml_.text(item["-c-type"], "-c-type");
    return element;
  }

  Field scalar_or_struct(const YAML::Node& item, const std::string& id, const std::string& type,
                         const std::string& kind, std::uint64_t offset, int depth) {
    Field f;
    f.offset = offset;
    const YAML::Node where = item["type"] ? item["type"] : item;
    const auto forbid = [&](const char* key) {
      if (item[key]) yaml_.fail(item[key], "field '" + id + "': '" + key + "' does not apply to type '" + (type.empty() ? "(bytes)" : type) + "'");
    };
    if (type.empty()) {
      if (!item["size"]) yaml_.fail(item, "field '" + id + "' needs a 'type' or a 'size' (opaque bytes)");
      f.kind = FieldKind::Bytes;
      f.size = yaml_.number(item["size"], "size");
      f.type_name = "bytes[" + std::to_string(f.size) + "]";
      for (const char* k : {"enum", "encoding", "bit-offset", "-storage", "-kind", "-signed"}) forbid(k);
      return f;
    }
    if (type == "str" || type == "strz") {
      if (!item["size"]) yaml_.fail(item, "field '" + id + "': a 'str' needs 'size' (the char array's length)");
      f.kind = FieldKind::Text;
      f.size = yaml_.number(item["size"], "size");
      f.count = f.size;
      f.stride = 1;
      f.is_signed = item["-signed"] ? yaml_.boolean(item["-signed"], "-signed") : true;
      f.type_name = "char[" + std::to_string(f.size) + "]";
      if (item["encoding"]) {
        const std::string enc = yaml_.text(item["encoding"], "encoding");
        if (enc != "UTF-8" && enc != "utf-8" && enc != "ASCII" && enc != "ascii") {
          yaml_.fail(item["encoding"], "only UTF-8 or ASCII text is supported, not '" + enc + "'");
        }
      }
      for (const char* k : {"enum", "bit-offset", "-storage", "-kind"}) forbid(k);
      return f;
    }
    forbid("encoding");
    forbid("size");
    if (type.size() >= 2 && type[0] == 'b' && std::all_of(type.begin() + 1, type.end(), ::isdigit)) {
      const std::uint64_t bits = type.size() > 3 ? 0 : std::stoull(type.substr(1));
      if (bits == 0 || bits > 64) yaml_.fail(where, "field '" + id + "': bit-field width must be 1-64, not " + std::to_string(bits));
      const std::uint64_t bit_offset = item["bit-offset"] ? yaml_.number(item["bit-offset"], "bit-offset") : 0;
      if (bit_offset >= 512) yaml_.fail(item["bit-offset"], "'bit-offset' must be below 512");
      f.bit_size = static_cast<std::uint32_t>(bits);
      f.bit_offset = static_cast<std::uint32_t>(bit_offset);
      f.size = item["-storage"] ? yaml_.number(item["-storage"], "-storage") : (bit_offset + bits + 7) / 8;
      if (f.size == 0 || f.size > 8 || f.size * 8 < bit_offset + bits) {
        yaml_.fail(item["-storage"] ? item["-storage"] : where, "field '" + id + "': storage of " + std::to_string(f.size) +
             " bytes cannot hold bits " + std::to_string(bit_offset) + ".." + std::to_string(bit_offset + bits - 1) + " (1-8 bytes)");
      }
      f.is_signed = item["-signed"] ? yaml_.boolean(item["-signed"], "-signed") : false;
      f.kind = f.is_signed ? FieldKind::Signed : FieldKind::Unsigned;
      f.type_name = type;
      apply_kind(item, id, kind, f);
      return f;
    }
    forbid("bit-offset");
    forbid("-storage");
    forbid("-signed");
    std::string t = type;
    if (t.size() > 2 && t.compare(t.size() - 2, 2, "le") == 0) t.resize(t.size() - 2);
    if (t.size() > 2 && t.compare(t.size() - 2, 2, "be") == 0) yaml_.fail(where, "big-endian type '" + type + "' is not supported (little-endian only)");
    if (t == "u1" || t == "u2" || t == "u4" || t == "u8" || t == "s1" || t == "s2" || t == "s4" || t == "s8") {
      f.size = static_cast<std::uint64_t>(t[1] - '0');
      f.is_signed = t[0] == 's';
      f.kind = f.is_signed ? FieldKind::Signed : FieldKind::Unsigned;
      f.type_name = type;
      apply_kind(item, id, kind, f);
      return f;
    }
    if (t == "f4" || t == "f8") {
      f.kind = FieldKind::Float;
      f.size = static_cast<std::uint64_t>(t[1] - '0');
      f.type_name = t == "f4" ? "float" : "double";
      if (!kind.empty()) yaml_.fail(item["-kind"], "'-kind' does not apply to a float");
      forbid("enum");
      return f;
    }
    // A user type from `types`.
    for (const char* k : {"enum", "-kind"}) forbid(k);
    const YAML::Node types = doc_["types"];
    if (!types || !types[type]) {
      yaml_.fail(where, "field '" + id + "': unknown type '" + type + "' (u1 u2 u4 u8 s1 s2 s4 s8 f4 f8 str bN, or a name under 'types')");
    }
    if (std::find(stack_.begin(), stack_.end(), type) != stack_.end()) yaml_.fail(where, "type '" + type + "' contains itself");
    const YAML::Node spec = types[type];
    if (!spec.IsMap()) yaml_.fail(spec, "type '" + type + "' must be a map with 'seq'");
    stack_.push_back(type);
    Field s = type_body(spec, type, offset, depth + 1);
    stack_.pop_back();
    return s;
  }

  void apply_kind(const YAML::Node& item, const std::string& id, const std::string& kind, Field& f) {
    if (item["enum"]) {
      if (!kind.empty()) yaml_.fail(item["-kind"], "field '" + id + "': 'enum' and '-kind' together");
      const std::string name = yaml_.text(item["enum"], "enum");
      const auto it = enums_.find(name);
      if (it == enums_.end()) yaml_.fail(item["enum"], "field '" + id + "': no enum '" + name + "' under 'enums'");
      f.kind = FieldKind::Enum;
      f.enumerators = it->second;
      f.type_name = name;
      return;
    }
    if (kind.empty()) return;
    if (kind == "bool") {
      f.kind = FieldKind::Bool;
    } else if (kind == "char") {
      f.kind = FieldKind::Char;
      if (f.size != 1 && !f.is_bitfield()) yaml_.fail(item["-kind"], "'-kind: char' needs a 1-byte type (u1 or s1)");
    } else if (kind == "pointer") {
      f.kind = FieldKind::Pointer;
      if (f.is_bitfield()) yaml_.fail(item["-kind"], "a bit-field cannot be a pointer");
    } else {
      yaml_.fail(item["-kind"], "'-kind' must be bool, char or pointer, not '" + kind + "'");
    }
  }

  const YAML::Node& doc_;
  std::string name_;
  YamlChecker yaml_;
  std::map<std::string, std::vector<Enumerator>> enums_;
  std::vector<std::string> stack_;
};

}  // namespace

Layout parse_layout_file(const std::string& text, const std::string& name) {
  YAML::Node doc;
  try {
    doc = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw InspectError(ErrorKind::BadLayout, name + ":" + std::to_string(e.mark.line + 1) + ":" +
                                                 std::to_string(e.mark.column + 1) + ": not valid YAML (" +
                                                 e.msg + ")");
  }
  try {
    return Parser(doc, name).parse();
  } catch (const YAML::Exception& e) {
    throw InspectError(ErrorKind::BadLayout, name + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Layout load_layout_file(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    throw InspectError(errno == ENOENT ? ErrorKind::NotFound : ErrorKind::Permission,
                       path + ": " + std::strerror(errno));
  }
  std::string text;
  char buf[65536];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) {
    text.append(buf, n);
    if (text.size() > (16u << 20)) {
      std::fclose(f);
      throw InspectError(ErrorKind::BadLayout, path + ": larger than 16 MiB: not a layout file");
    }
  }
  std::fclose(f);
  return parse_layout_file(text, path);
}

}  // namespace shminspect
