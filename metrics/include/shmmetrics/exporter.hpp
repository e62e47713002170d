// Serving: the collector polled on its own thread, OpenMetrics served over HTTP (cpp-httplib).
//   GET|HEAD /metrics[?session=NAME...]  200, OpenMetrics text
//   GET /                                200, a line pointing at /metrics
//   other methods on those paths         405 with Allow: GET, HEAD
//   a bad query                          400 with the reason; unknown paths 404
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "shmmetrics/collector.hpp"
#include "shmmetrics/listen_address.hpp"

namespace shmmetrics {

struct ExporterOptions {
  ListenAddress listen{"127.0.0.1", 9464};
  // How often every session is read. Each read copies the whole block (134 KB) and decodes it:
  // about 0.5% of a CPU per session at 100 ms (docs/METRICS.md, "Cost").
  std::chrono::milliseconds interval{100};
  CollectorOptions collector;
};

class Exporter {
 public:
  explicit Exporter(ExporterOptions options);
  ~Exporter();

  // Binds the listening socket; returns the port (the kernel's choice for port 0). Throws
  // shmipc::Error(System) saying which address could not be bound and why.
  std::uint16_t bind();

  // Polls and serves until stop(); bind() first.
  void run();

  // From any thread (a signal-waiting thread): run() returns soon after.
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace shmmetrics
