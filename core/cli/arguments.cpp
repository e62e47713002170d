#include "arguments.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "shmipc/error.hpp"
#include "shmipc/session_name.hpp"

namespace shmcli {

using shmipc::Error;
using shmipc::ErrorCode;

namespace {

std::string option_word(std::string_view name) {
  return "--" + std::string(name);
}

}  // namespace

bool Arguments::flag(std::string_view name) {
  const std::string want = option_word(name);
  bool found = false;
  for (std::size_t i = 0; i < words_.size(); ++i) {
    if (!used_[i] && words_[i] == want) {
      used_[i] = true;
      found = true;
    }
  }
  return found;
}

std::vector<std::string> Arguments::values(std::string_view name) {
  const std::string want = option_word(name);
  const std::string prefix = want + "=";
  std::vector<std::string> out;
  for (std::size_t i = 0; i < words_.size(); ++i) {
    if (used_[i]) continue;
    if (words_[i] == want) {
      if (i + 1 >= words_.size())
        throw Error(ErrorCode::Usage, "option " + want + " needs a value");
      used_[i] = used_[i + 1] = true;
      out.push_back(words_[i + 1]);
      ++i;
    } else if (words_[i].rfind(prefix, 0) == 0) {
      used_[i] = true;
      out.push_back(words_[i].substr(prefix.size()));
    }
  }
  return out;
}

std::optional<std::string> Arguments::value(std::string_view name) {
  auto all = values(name);
  if (all.empty()) return std::nullopt;
  return all.back();
}

std::string Arguments::session() {
  std::string name = value("session").value_or(std::string(shmipc::kDefaultSessionName));
  shmipc::validate_session_name(name);
  return name;
}

std::uint64_t parse_count(std::string_view option, const std::string& text) {
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] == '-' || *end != '\0' || errno == ERANGE || v == 0)
    throw Error(ErrorCode::Usage, "option --" + std::string(option) +
                                      " needs a positive whole number, not '" + text + "'");
  return v;
}

double parse_seconds(std::string_view option, const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v) || v < 0 || v > 1e7)
    throw Error(ErrorCode::Usage, "option --" + std::string(option) +
                                      " needs a number of seconds, not '" + text + "'");
  return v;
}

std::optional<std::uint64_t> Arguments::count(std::string_view name) {
  auto v = value(name);
  if (!v) return std::nullopt;
  return parse_count(name, *v);
}

std::optional<double> Arguments::seconds(std::string_view name) {
  auto v = value(name);
  if (!v) return std::nullopt;
  return parse_seconds(name, *v);
}

void Arguments::finish() const {
  for (std::size_t i = 0; i < words_.size(); ++i) {
    if (used_[i]) continue;
    if (words_[i].rfind("-", 0) == 0)
      throw Error(ErrorCode::Usage, "unknown option '" + words_[i] + "' (see --help)");
    throw Error(ErrorCode::Usage, "unexpected argument '" + words_[i] + "' (see --help)");
  }
}

}  // namespace shmcli
