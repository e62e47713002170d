#include "shmipc/session_name.hpp"

#include "shmipc/error.hpp"

namespace shmipc {

namespace {

constexpr std::size_t kMaxNameLength = 64;

bool allowed(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// A character as it can be shown in a message: control and non-ASCII bytes as hex, so the
// message itself stays printable.
std::string shown(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 0xf];
}

std::string quoted(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out += c;
    } else {
      out += '?';
    }
  }
  return out + "\"";
}

}  // namespace

std::optional<std::string> session_name_problem(std::string_view name) {
  const std::string prefix = "invalid session name " + quoted(name) + ": ";
  if (name.empty()) return prefix + "it is empty (1 to 64 characters of A-Z a-z 0-9 . _ -)";
  if (name.size() > kMaxNameLength) {
    return prefix + "it has " + std::to_string(name.size()) + " characters; at most 64 are allowed";
  }
  if (name == "." || name == "..") return prefix + "\".\" and \"..\" are not session names";
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!allowed(name[i])) {
      // Positions count from 1, as a person reads the name.
      return prefix + "character " + shown(name[i]) + " at position " + std::to_string(i + 1) +
             " is not one of A-Z a-z 0-9 . _ -";
    }
  }
  return std::nullopt;
}

void validate_session_name(std::string_view name) {
  if (auto problem = session_name_problem(name)) throw Error(ErrorCode::InvalidName, *problem);
}

std::string segment_name(std::string_view session) {
  return "/shmscope." + std::string(session);
}

}  // namespace shmipc
