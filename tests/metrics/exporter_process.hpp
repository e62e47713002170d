// `shmipc metrics` as a real process on a port the kernel picks (--listen 127.0.0.1:0, which it
// prints), scraped with cpp-httplib's client; and reading single samples out of the text.
#pragma once

#include <httplib.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "cli_helpers.hpp"
#include "test_process.hpp"

namespace metricstest {

struct Exporter {
  shmtest::ChildProcess process;
  int port = 0;

  // Started with --interval 20 (every session read every 20 ms); REQUIREs it to come up.
  static Exporter start(std::vector<std::string> extra = {});

  httplib::Result get(const std::string& path) const;
  std::string scrape() const;  // GET /metrics, REQUIREd to be 200
};

// The value of the sample whose name and labels are exactly `series`
// (e.g. shmipc_messages_delivered_total{session="x"}); nullopt if it is not in `text`.
std::optional<double> sample(const std::string& text, const std::string& series);

// Scrapes until `series` reaches `value` (at most `limit`); returns the last text.
std::string scrape_until(const Exporter& exporter, const std::string& series, double value,
                         std::chrono::milliseconds limit);

std::string series(const std::string& metric, const std::string& session,
                   const std::string& more_labels = "");

using shmtest::SegmentCleanup;
using shmtest::shmipc_cmd;

}  // namespace metricstest
