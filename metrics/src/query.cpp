#include "shmmetrics/query.hpp"

#include <cctype>

#include "shmipc/error.hpp"
#include "shmipc/session_name.hpp"

namespace shmmetrics {

namespace {

constexpr std::size_t kMaxParameters = 64;

// Shown back in an error: bounded and printable, whatever was sent.
std::string shown(const std::string& text) {
  std::string out = text.substr(0, 64);
  for (char& c : out)
    if (!std::isprint(static_cast<unsigned char>(c))) c = '?';
  return text.size() > 64 ? out + "..." : out;
}

}  // namespace

MetricsQuery parse_metrics_query(const std::vector<std::pair<std::string, std::string>>& params) {
  if (params.size() > kMaxParameters)
    throw shmipc::Error(shmipc::ErrorCode::Usage,
                        "more than " + std::to_string(kMaxParameters) + " query parameters");
  MetricsQuery query;
  for (const auto& [key, value] : params) {
    if (key != "session")
      throw shmipc::Error(shmipc::ErrorCode::Usage,
                          "unknown query parameter \"" + shown(key) + "\" (only session=NAME)");
    if (auto problem = shmipc::session_name_problem(value))
      throw shmipc::Error(shmipc::ErrorCode::Usage,
                          "session=\"" + shown(value) + "\": " + *problem);
    query.sessions.insert(value);
  }
  return query;
}

}  // namespace shmmetrics
