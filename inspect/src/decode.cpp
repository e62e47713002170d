// Bytes to values through a layout. Every read is bounds-checked against the bytes given: the
// sample is untrusted and may be shorter than the layout.
#include "shminspect/decode.hpp"

#include <charconv>
#include <cstdio>
#include <cstring>

#include "utf8.hpp"

namespace shminspect {
namespace {

struct Decoder {
  const std::vector<std::uint8_t>& bytes;
  const Sample* sample;  // nullptr: every byte present and settled
  const DecodeOptions& options;
  std::vector<DecodedValue> out;
  std::uint64_t base = sample != nullptr ? sample->base : 0;  // bytes[i] is byte base + i

  bool available(std::uint64_t offset, std::uint64_t size) const {
    if (sample != nullptr) return sample->covers(offset, size);
    return offset <= bytes.size() && size <= bytes.size() - offset;
  }
  bool in_flux(std::uint64_t offset, std::uint64_t size) const {
    if (sample == nullptr || sample->in_flux.empty()) return false;
    for (std::uint64_t i = 0; i < size && offset - base + i < sample->in_flux.size(); ++i) {
      if (sample->in_flux[offset - base + i] != 0) return true;
    }
    return false;
  }
  std::uint64_t load_le(std::uint64_t offset, std::uint64_t size) const {
    std::uint64_t v = 0;
    for (std::uint64_t i = 0; i < size && i < 8; ++i) {
      v |= static_cast<std::uint64_t>(bytes[offset - base + i]) << (8 * i);
    }
    return v;
  }

  void field(const Field& f, const std::string& path, int depth, std::uint64_t delta) {
    DecodedValue v;
    v.path = path;
    v.depth = depth;
    v.field = &f;
    v.offset = f.offset + delta;
    v.size = f.size;
    v.available = available(v.offset, v.size);
    v.in_flux = v.available && in_flux(v.offset, v.size);
    switch (f.kind) {
      case FieldKind::Struct:
      case FieldKind::Union: {
        v.is_container = true;
        out.push_back(std::move(v));
        for (const auto& c : f.children) {
          if (out.size() >= options.max_values) break;
          field(c, path.empty() ? c.name : path + "." + c.name, depth + 1, delta);
        }
        return;
      }
      case FieldKind::Array: {
        v.is_container = true;
        v.text = std::to_string(f.count) + " elements";
        const std::size_t at = out.size();
        out.push_back(std::move(v));
        if (f.children.empty()) return;
        const std::uint64_t wanted = std::min(f.count, options.max_array_elements);
        std::uint64_t shown = 0;
        for (; shown < wanted && out.size() < options.max_values; ++shown) {
          field(f.children.front(), path + "[" + std::to_string(shown) + "]", depth + 1,
                delta + shown * f.stride);
        }
        if (shown < wanted) {
          out[at].text += " (" + std::to_string(shown) + " shown: over " +
                          std::to_string(options.max_values) + " values in all)";
        }
        return;
      }
      default:
        break;
    }
    if (v.available) scalar(f, v);
    out.push_back(std::move(v));
  }

  void scalar(const Field& f, DecodedValue& v) const {
    if (f.kind == FieldKind::Text) {
      text(v);
      return;
    }
    if (f.kind == FieldKind::Bytes || f.size == 0 || (f.size > 8 && !f.is_bitfield())) {
      v.text = hex_bytes(v.offset, v.size, 64);
      return;
    }
    std::uint64_t raw = load_le(v.offset, f.size);
    const bool is_signed = f.kind == FieldKind::Signed ||
                           ((f.kind == FieldKind::Enum || f.kind == FieldKind::Char) && f.is_signed);
    std::uint64_t bits = f.size * 8;
    if (f.is_bitfield()) {
      bits = f.bit_size > 64 ? 64 : f.bit_size;
      raw = f.bit_offset >= 64 ? 0 : raw >> f.bit_offset;
    }
    if (bits < 64) raw &= (std::uint64_t{1} << bits) - 1;
    std::int64_t sv = static_cast<std::int64_t>(raw);
    if (is_signed && bits < 64 && bits > 0 && (raw >> (bits - 1)) & 1) {
      sv = static_cast<std::int64_t>(raw | ~((std::uint64_t{1} << bits) - 1));
    }
    switch (f.kind) {
      case FieldKind::Float: {
        double d = 0;
        if (f.size == 4) {
          float x;
          const auto r = static_cast<std::uint32_t>(raw);
          std::memcpy(&x, &r, 4);
          d = x;
          v.text = shortest(x);
        } else if (f.size == 8) {
          std::memcpy(&d, &raw, 8);
          v.text = shortest(d);
        } else {
          v.text = hex_bytes(v.offset, v.size, 16);
          return;
        }
        v.number = d;
        return;
      }
      case FieldKind::Bool:
        v.as_unsigned = raw;
        v.as_signed = static_cast<std::int64_t>(raw);
        v.number = static_cast<double>(raw);
        v.text = raw == 0 ? "false" : raw == 1 ? "true" : "true (" + std::to_string(raw) + ")";
        return;
      case FieldKind::Pointer: {
        v.as_unsigned = raw;
        v.number = static_cast<double>(raw);
        char buf[32];
        std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(raw));
        v.text = raw == 0 ? "nullptr" : buf;
        return;
      }
      case FieldKind::Enum: {
        const std::int64_t value = is_signed ? sv : static_cast<std::int64_t>(raw);
        v.as_signed = value;
        if (!is_signed) v.as_unsigned = raw;
        v.number = is_signed ? static_cast<double>(sv) : static_cast<double>(raw);
        for (const auto& e : f.enumerators) {
          if (e.value == value) {
            v.enumerator = e.name;
            break;
          }
        }
        const std::string number = is_signed ? std::to_string(sv) : std::to_string(raw);
        v.text = v.enumerator.empty() ? number + " (no enumerator)" : v.enumerator + " (" + number + ")";
        return;
      }
      case FieldKind::Char: {
        v.as_signed = is_signed ? sv : static_cast<std::int64_t>(raw);
        v.number = static_cast<double>(*v.as_signed);
        const auto c = static_cast<unsigned char>(raw);
        if (c >= 0x20 && c < 0x7f) {
          v.text = std::to_string(*v.as_signed) + " '" + std::string(1, static_cast<char>(c)) + "'";
        } else {
          v.text = std::to_string(*v.as_signed);
        }
        return;
      }
      case FieldKind::Signed:
        v.as_signed = sv;
        v.number = static_cast<double>(sv);
        v.text = std::to_string(sv);
        return;
      default:  // Unsigned
        v.as_unsigned = raw;
        if (raw <= static_cast<std::uint64_t>(INT64_MAX)) v.as_signed = static_cast<std::int64_t>(raw);
        v.number = static_cast<double>(raw);
        v.text = std::to_string(raw);
        return;
    }
  }

  void text(DecodedValue& v) const {
    const auto* begin = reinterpret_cast<const char*>(bytes.data() + (v.offset - base));
    std::uint64_t n = 0;
    while (n < v.size && begin[n] != '\0') ++n;
    const std::string_view s(begin, n);
    v.text_is_utf8 = valid_utf8(s);
    v.text = v.text_is_utf8 ? quote(s) : "bytes " + hex_bytes(v.offset, v.size, 64);
  }

  std::string hex_bytes(std::uint64_t offset, std::uint64_t size, std::uint64_t limit) const {
    std::string out;
    const std::uint64_t n = std::min(size, limit);
    char buf[4];
    for (std::uint64_t i = 0; i < n; ++i) {
      std::snprintf(buf, sizeof buf, "%02x", bytes[offset - base + i]);
      if (i) out += ' ';
      out += buf;
    }
    if (size > limit) out += " ... (" + std::to_string(size) + " bytes)";
    return out;
  }

  template <typename T>
  static std::string shortest(T x) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, x);
    return std::string(buf, r.ptr);
  }
};

}  // namespace

std::vector<DecodedValue> decode(const Layout& layout, const std::vector<std::uint8_t>& bytes,
                                 const DecodeOptions& options) {
  Decoder d{bytes, nullptr, options, {}};
  for (const auto& c : layout.root.children) d.field(c, c.name, 0, 0);
  return std::move(d.out);
}

std::vector<DecodedValue> decode(const Layout& layout, const Sample& sample,
                                 const DecodeOptions& options) {
  Decoder d{sample.bytes, &sample, options, {}};
  for (const auto& c : layout.root.children) d.field(c, c.name, 0, 0);
  return std::move(d.out);
}

std::optional<ByteRange> field_range(const Layout& layout, const std::string& path) {
  const Field* f = &layout.root;
  std::uint64_t delta = 0;
  std::size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '.') ++pos;
    if (path[pos] == '[') {
      const auto close = path.find(']', pos);
      if (close == std::string::npos || f->kind != FieldKind::Array || f->children.empty()) {
        return std::nullopt;
      }
      std::uint64_t index = 0;
      const auto r = std::from_chars(path.data() + pos + 1, path.data() + close, index);
      if (r.ec != std::errc() || r.ptr != path.data() + close || index >= f->count) {
        return std::nullopt;
      }
      delta += index * f->stride;
      f = &f->children.front();
      pos = close + 1;
      continue;
    }
    const auto end = path.find_first_of(".[", pos);
    const std::string name = path.substr(pos, end == std::string::npos ? end : end - pos);
    const Field* next = nullptr;
    for (const auto& c : f->children) {
      if (c.name == name) {
        next = &c;
        break;
      }
    }
    if (next == nullptr) return std::nullopt;
    f = next;
    pos = end == std::string::npos ? path.size() : end;
  }
  if (f == &layout.root) return ByteRange{0, layout.size};
  return ByteRange{f->offset + delta, f->size};
}

}  // namespace shminspect
