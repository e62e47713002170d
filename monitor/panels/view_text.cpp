#include "panels/view_text.hpp"

#include <cstdint>
#include <cstdio>

namespace shmscope {

std::string duration_text(std::uint64_t ns) {
  char buf[64];
  const double v = static_cast<double>(ns);
  if (ns < 1'000) {
    std::snprintf(buf, sizeof buf, "%llu ns", static_cast<unsigned long long>(ns));
  } else if (ns < 1'000'000) {
    std::snprintf(buf, sizeof buf, "%.0f us", v / 1e3);
  } else if (ns < 1'000'000'000) {
    std::snprintf(buf, sizeof buf, "%.1f ms", v / 1e6);
  } else if (ns < 120'000'000'000ULL) {
    std::snprintf(buf, sizeof buf, "%.2f s", v / 1e9);
  } else {
    const auto s = ns / 1'000'000'000ULL;
    std::snprintf(buf, sizeof buf, "%llu min %llu s", static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  }
  return buf;
}

std::string age_text(std::uint64_t now_ns, std::uint64_t t_ns) {
  if (t_ns == 0) return "never";
  if (t_ns >= now_ns) return "just now";
  return duration_text(now_ns - t_ns) + " ago";
}

std::string_view role_word(shmipc::Role role) {
  switch (role) {
    case shmipc::Role::None:
      return "nobody";
    case shmipc::Role::Parent:
      return "parent";
    case shmipc::Role::Child:
      return "child";
    case shmipc::Role::Observer:
      return "observer";
    case shmipc::Role::Tool:
      return "tool";
  }
  return "unknown role";
}

std::string who_text(shmipc::Role role, std::uint32_t pid) {
  if (pid == 0) return std::string(role_word(role));
  return std::string(role_word(role)) + " (pid " + std::to_string(pid) + ")";
}

namespace {

// Length of the valid UTF-8 sequence for a printable character starting at s[i], 0 if none
// (ASCII controls, stray continuation bytes, overlongs, surrogates, C1 controls).
std::size_t utf8_char_length(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 >= 0x20 && b0 < 0x7F) return 1;
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    cp = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  const bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
  if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp < 0xA0) return 0;
  return n;
}

}  // namespace

// Valid UTF-8 is shown as the text it is ("ümlaut ✓"); anything else byte by byte as '.'. The
// hex view stays the exact record of the bytes.
std::string printable_preview(std::string_view bytes, std::size_t max_chars) {
  std::string out;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < bytes.size();) {
    if (chars >= max_chars) {
      out += "...";
      break;
    }
    const std::size_t n = utf8_char_length(bytes, i);
    if (n == 0) {
      out += '.';
      ++i;
    } else {
      out.append(bytes.substr(i, n));
      i += n;
    }
    ++chars;
  }
  return out;
}

}  // namespace shmscope
