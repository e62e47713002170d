// Watch conditions: a tiny grammar, "FIELD jumps by more than N" | "FIELD changes" |
// "FIELD becomes VALUE" | "FIELD OP VALUE". Edge-triggered: a condition fires on the sample
// where it becomes true, so a paused view is not paused again by the same state.
#include "shminspect/watch.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "shminspect/error.hpp"

namespace shminspect {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

std::optional<double> parse_number(const std::string& s) {
  if (s.empty()) return std::nullopt;
  double v = 0;
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  if (*begin == '+') ++begin;
  if (end - begin > 2 && begin[0] == '0' && (begin[1] == 'x' || begin[1] == 'X')) {
    std::uint64_t u = 0;
    const auto r = std::from_chars(begin + 2, end, u, 16);
    if (r.ec != std::errc() || r.ptr != end) return std::nullopt;
    return static_cast<double>(u);
  }
  const auto r = std::from_chars(begin, end, v);
  if (r.ec != std::errc() || r.ptr != end) return std::nullopt;
  return v;
}

std::string unquote(const std::string& s) {
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
    return s.substr(1, s.size() - 2);
  }
  return s;
}

std::string number_text(double d) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

bool is_field_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '[' ||
         c == ']' || c == ':';
}

const DecodedValue* find(const std::vector<DecodedValue>& values, const std::string& path) {
  for (const auto& v : values) {
    if (v.path == path) return &v;
  }
  return nullptr;
}

}  // namespace

WatchCondition WatchCondition::parse(const std::string& raw) {
  WatchCondition c;
  c.text_ = trim(raw);
  const std::string& t = c.text_;
  const auto bad = [&](const std::string& why) {
    return InspectError(ErrorKind::BadCondition,
                        "watch condition '" + t + "': " + why +
                            " (forms: 'FIELD jumps by more than N', 'FIELD changes', "
                            "'FIELD becomes VALUE', 'FIELD > N' with > >= < <= == !=)");
  };
  std::size_t i = 0;
  while (i < t.size() && is_field_char(t[i])) ++i;
  c.field_ = t.substr(0, i);
  if (c.field_.empty()) throw bad("expected a field name first");
  const std::string rest = trim(t.substr(i));
  if (rest.empty()) throw bad("expected what to watch for after '" + c.field_ + "'");

  static const std::pair<const char*, Op> kOps[] = {
      {">=", Op::GreaterEqual}, {"<=", Op::LessEqual}, {"==", Op::Equal}, {"!=", Op::NotEqual},
      {">", Op::Greater},       {"<", Op::Less},       {"=", Op::Equal}};
  for (const auto& [symbol, op] : kOps) {
    const std::string s = symbol;
    if (rest.compare(0, s.size(), s) != 0) continue;
    c.op_ = op;
    c.operand_ = unquote(trim(rest.substr(s.size())));
    if (c.operand_.empty()) throw bad("expected a value after '" + s + "'");
    c.number_ = parse_number(c.operand_);
    if (!c.number_ && op != Op::Equal && op != Op::NotEqual) {
      throw bad("'" + c.operand_ + "' is not a number");
    }
    return c;
  }
  std::istringstream words(rest);
  std::vector<std::string> w;
  for (std::string word; words >> word;) w.push_back(word);
  if (w.size() == 1 && w[0] == "changes") {
    c.op_ = Op::Changes;
    return c;
  }
  if (w[0] == "becomes" || w[0] == "is") {
    if (w.size() < 2) throw bad("expected a value after '" + w[0] + "'");
    c.op_ = Op::Becomes;
    c.operand_ = unquote(trim(rest.substr(rest.find(w[0]) + w[0].size())));
    c.number_ = parse_number(c.operand_);
    return c;
  }
  if (w[0] == "jumps") {
    // Only "jumps by more than N": the words say on which side of N it fires.
    if (w.size() != 5 || w[1] != "by" || w[2] != "more" || w[3] != "than") {
      throw bad("expected 'jumps by more than N'");
    }
    c.op_ = Op::JumpsBy;
    c.operand_ = w[4];
    c.number_ = parse_number(w[4]);
    if (!c.number_ || *c.number_ < 0) throw bad("'" + w[4] + "' is not a number >= 0");
    return c;
  }
  throw bad("'" + w[0] + "' is not understood");
}

std::optional<std::string> WatchCondition::evaluate(const std::vector<DecodedValue>& previous,
                                                    const std::vector<DecodedValue>& current) const {
  const DecodedValue* now = find(current, field_);
  if (now == nullptr) {
    std::vector<std::string> paths;
    for (const auto& v : current) paths.push_back(v.path);
    const auto near = close_matches(field_, paths);
    std::string list;
    for (const auto& n : near) list += (list.empty() ? "" : ", ") + n;
    throw InspectError(ErrorKind::NotFound, "watch condition '" + text_ + "': no field '" + field_ +
                                                "'" + (list.empty() ? "" : "; close matches: " + list));
  }
  const DecodedValue* before = find(previous, field_);
  if (!now->available) return std::nullopt;
  const bool had_before = before != nullptr && before->available;

  // Is `v` equal to the operand: enumerator name, text (unquoted), or number?
  const auto equals = [&](const DecodedValue& v) {
    if (!v.enumerator.empty() && v.enumerator == operand_) return true;
    if (v.text == operand_) return true;
    if (v.field && v.field->kind == FieldKind::Text && v.text == "\"" + operand_ + "\"") return true;
    if (number_ && v.number) return *v.number == *number_;
    return false;
  };
  const auto holds = [&](const DecodedValue& v) -> bool {
    switch (op_) {
      case Op::Becomes:
      case Op::Equal: return equals(v);
      case Op::NotEqual: return !equals(v);
      case Op::Greater: return v.number && *v.number > *number_;
      case Op::GreaterEqual: return v.number && *v.number >= *number_;
      case Op::Less: return v.number && *v.number < *number_;
      case Op::LessEqual: return v.number && *v.number <= *number_;
      default: return false;
    }
  };

  switch (op_) {
    case Op::Changes:
      if (had_before && before->text != now->text) {
        return field_ + " changed: " + before->text + " -> " + now->text;
      }
      return std::nullopt;
    case Op::JumpsBy:
      if (had_before && before->number && now->number &&
          std::fabs(*now->number - *before->number) > *number_) {
        return field_ + " jumped by " + number_text(*now->number - *before->number) + " (" +
               before->text + " -> " + now->text + ")";
      }
      return std::nullopt;
    default:
      if (holds(*now) && !(had_before && holds(*before))) {
        return field_ + " is now " + now->text + " (" + text_ + ")" +
               (had_before ? ", was " + before->text : std::string());
      }
      return std::nullopt;
  }
}

}  // namespace shminspect
