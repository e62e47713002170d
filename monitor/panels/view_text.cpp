#include "panels/view_text.hpp"

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

std::string printable_preview(std::string_view bytes, std::size_t max_chars) {
  std::string out;
  for (char c : bytes) {
    if (out.size() >= max_chars) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7F) ? c : '.';
  }
  return out;
}

}  // namespace shmscope
