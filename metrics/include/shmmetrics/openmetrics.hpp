// Rendering: sessions -> OpenMetrics 1.0 text (https://openmetrics.io), which Prometheus asks
// for first. Families in a fixed order, each with # TYPE, # UNIT (when it has one) and # HELP,
// then one sample per session (labelled session="NAME"); the text ends with "# EOF".
// docs/METRICS.md lists every family; the list here and there must agree.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "shmmetrics/collector.hpp"
#include "shmmetrics/session_metrics.hpp"

namespace shmmetrics {

inline constexpr std::string_view kOpenMetricsContentType =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

std::string render_openmetrics(const std::vector<SessionMetrics>& sessions,
                               const CollectorStats& stats);

// A label value with \, " and newline escaped, as the format requires.
std::string escape_label_value(std::string_view value);

}  // namespace shmmetrics
