#include "panels/metrics_view.hpp"

#include <algorithm>
#include <cmath>

#include "panels/view_text.hpp"

namespace shmscope {

Histogram make_histogram(std::vector<double> values, std::size_t bins) {
  Histogram h;
  h.samples = values.size();
  h.counts.assign(std::max<std::size_t>(bins, 1), 0.0f);
  if (values.empty()) {
    h.summary = "no samples yet";
    return h;
  }
  std::sort(values.begin(), values.end());
  const double median = values[values.size() / 2];
  const double p95 = values[std::min(values.size() - 1, values.size() * 95 / 100)];
  h.max_value = std::max(p95, 1e-9);
  for (double x : values) {
    auto bin = static_cast<std::size_t>(x / h.max_value * static_cast<double>(h.counts.size()));
    h.counts[std::min(bin, h.counts.size() - 1)] += 1;
  }
  auto us = [](double v) {
    return duration_text(static_cast<std::uint64_t>(std::llround(v * 1000.0)));
  };
  h.summary = "median " + us(median) + ", 95% under " + us(p95) + " (" +
              std::to_string(values.size()) + " samples)";
  return h;
}

MetricsView make_metrics_view(const PanelInput& in) {
  MetricsView v;
  if (in.history.latest() == nullptr && in.history.journal().empty()) return v;
  v.known = true;
  const Metrics m = in.history.metrics(in.now_ns);
  const auto rate = static_cast<long long>(std::llround(m.messages_per_second));
  v.rate = std::to_string(rate) + (rate == 1 ? " message" : " messages") + " per second";
  v.rate_series = m.messages_per_second_series;
  v.latency = make_histogram(m.handoff_latency_us);
  v.hold = make_histogram(m.hold_time_us);
  return v;
}

}  // namespace shmscope
