// View model of the Metrics panel: message rate and histograms of hand-off latency and
// mutex hold time, binned for ImGui::PlotHistogram.
#pragma once

#include <string>
#include <vector>

#include "panels/panels.hpp"

namespace shmscope {

struct Histogram {
  std::vector<float> counts;  // one per bin
  double max_value = 0;       // right edge of the last bin
  std::size_t samples = 0;
  std::string summary;  // "median 32 us, 95% under 80 us (500 samples)"
};

// Linear bins from 0 to the 95th percentile (outliers fall into the last bin).
Histogram make_histogram(std::vector<double> values, std::size_t bins = 24);

struct MetricsView {
  bool known = false;
  std::string rate;  // "12 messages per second"
  std::vector<float> rate_series;
  Histogram latency;
  Histogram hold;
};

MetricsView make_metrics_view(const PanelInput& in);

}  // namespace shmscope
