// The query string of GET /metrics: `session=NAME`, repeated to export only those sessions
// (one Prometheus job per team, say). Outside input: any other parameter, or a NAME that is
// not a session name, is refused (HTTP 400) with the reason.
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace shmmetrics {

struct MetricsQuery {
  std::set<std::string> sessions;  // empty: every session
};

// Parameters as the HTTP library decoded them, in order. Throws shmipc::Error(Usage).
MetricsQuery parse_metrics_query(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace shmmetrics
