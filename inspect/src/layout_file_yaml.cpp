#include "layout_file_yaml.hpp"

#include <cctype>
#include <stdexcept>

#include "shminspect/error.hpp"
#include "utf8.hpp"

namespace shminspect {
namespace {

constexpr std::uint64_t kMaxSize = 1ull << 40;  // 1 TiB: larger is a typo, not a segment

}  // namespace

[[noreturn]] void YamlChecker::fail(const YAML::Node& node, const std::string& problem) const {
  const auto mark = node.Mark();
  const std::string where = mark.line >= 0 ? ":" + std::to_string(mark.line + 1) + ":" +
                                                 std::to_string(mark.column + 1)
                                           : "";
  throw InspectError(ErrorKind::BadLayout, name_ + where + ": " + problem);
}

void YamlChecker::check_keys(const YAML::Node& map, std::initializer_list<const char*> allowed) const {
  for (const auto& kv : map) {
    const std::string key = kv.first.Scalar();
    bool ok = false;
    for (const char* a : allowed) ok = ok || key == a;
    if (!ok) {
      std::string list;
      for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      fail(kv.first, "unknown key '" + key + "' (allowed here: " + list + ")");
    }
  }
}

std::uint64_t YamlChecker::number(const YAML::Node& node, const std::string& what) const {
  if (!node.IsScalar()) fail(node, "'" + what + "' must be a non-negative integer");
  const std::string& s = node.Scalar();
  std::uint64_t v = 0;
  std::size_t used = 0;
  try {
    if (s.empty() || s[0] == '-' || s[0] == '+') throw std::invalid_argument(s);
    v = std::stoull(s, &used, 0);
  } catch (const std::exception&) {
    fail(node, "'" + what + "' must be a non-negative integer, not '" + s + "'");
  }
  if (used != s.size()) fail(node, "'" + what + "' must be a non-negative integer, not '" + s + "'");
  if (v > kMaxSize) fail(node, "'" + what + "' = " + s + " is larger than 1 TiB");
  return v;
}

std::int64_t YamlChecker::signed_number(const YAML::Node& node, const std::string& what) const {
  if (!node.IsScalar()) fail(node, "'" + what + "' must be an integer");
  const std::string& s = node.Scalar();
  try {
    std::size_t used = 0;
    long long v = 0;
    if (!s.empty() && s[0] == '-') {
      v = std::stoll(s, &used, 0);
    } else {
      v = static_cast<long long>(std::stoull(s, &used, 0));
    }
    if (used == s.size()) return v;
  } catch (const std::exception&) {
  }
  fail(node, "'" + what + "' must be an integer, not '" + s + "'");
}

bool YamlChecker::boolean(const YAML::Node& node, const std::string& what) const {
  if (node.IsScalar() && (node.Scalar() == "true" || node.Scalar() == "false")) {
    return node.Scalar() == "true";
  }
  fail(node, "'" + what + "' must be true or false");
}

std::string YamlChecker::text(const YAML::Node& node, const std::string& what) const {
  if (!node.IsScalar()) fail(node, "'" + what + "' must be text");
  if (!valid_utf8(node.Scalar())) fail(node, "'" + what + "' is not valid UTF-8");
  return node.Scalar();
}

std::string YamlChecker::identifier(const YAML::Node& node, const std::string& what) const {
  const std::string s = text(node, what);
  if (s.empty() || s.size() > 256) fail(node, "'" + what + "' must be 1-256 characters");
  for (const char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
      fail(node, "'" + what + "' = '" + s + "': use letters, digits and '_' only");
    }
  }
  return s;
}

}  // namespace shminspect
