// "Did you mean": the candidates nearest to a wanted name, for every NotFound message.
#include <algorithm>
#include <cctype>

#include "shminspect/watch.hpp"

namespace shminspect {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The last component of a qualified name: "ns::Block" -> "Block".
std::string tail(const std::string& s) {
  const auto colon = s.rfind("::");
  return colon == std::string::npos ? s : s.substr(colon + 2);
}

}  // namespace

std::vector<std::string> close_matches(const std::string& wanted,
                                       const std::vector<std::string>& candidates,
                                       std::size_t limit) {
  const std::string w = lower(wanted);
  const std::string wtail = lower(tail(wanted));
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const auto& c : candidates) {
    if (c.size() > 512) continue;
    const std::string lc = lower(c);
    std::size_t score = std::min(edit_distance(w, lc), edit_distance(wtail, lower(tail(c))));
    if (!w.empty() && lc.find(w) != std::string::npos) score = std::min<std::size_t>(score, 1);
    const std::size_t allowed = std::max<std::size_t>(2, wanted.size() / 3);
    if (score <= allowed) scored.emplace_back(score, c);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (const auto& [score, c] : scored) {
    if (out.size() >= limit) break;
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  }
  return out;
}

}  // namespace shminspect
