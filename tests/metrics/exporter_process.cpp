#include "exporter_process.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <sstream>
#include <thread>

using namespace std::chrono_literals;

namespace metricstest {

Exporter Exporter::start(std::vector<std::string> extra) {
  std::vector<std::string> argv{shmtest::binary_path("shmipc"), "metrics", "--listen",
                                "127.0.0.1:0", "--interval", "20"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  Exporter e{shmtest::ChildProcess::spawn(argv), 0};
  const std::string marker = "http://127.0.0.1:";
  REQUIRE_MESSAGE(shmtest::eventually(
                      [&] { return e.process.stdout_text().find("/metrics") != std::string::npos; },
                      10s),
                  "the exporter did not come up: " << e.process.stderr_text());
  const std::string out = e.process.stdout_text();
  const auto at = out.find(marker);
  REQUIRE(at != std::string::npos);
  e.port = std::atoi(out.c_str() + at + marker.size());
  REQUIRE(e.port > 0);
  return e;
}

httplib::Result Exporter::get(const std::string& path) const {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(10, 0);
  return client.Get(path.c_str());
}

std::string Exporter::scrape() const {
  auto res = get("/metrics");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  return res->body;
}

std::optional<double> sample(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ')
      return std::strtod(line.c_str() + series.size() + 1, nullptr);
  }
  return std::nullopt;
}

std::string scrape_until(const Exporter& exporter, const std::string& series, double value,
                         std::chrono::milliseconds limit) {
  std::string text;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  do {
    text = exporter.scrape();
    if (sample(text, series) == value) break;
    std::this_thread::sleep_for(20ms);
  } while (std::chrono::steady_clock::now() < deadline);
  return text;
}

std::string series(const std::string& metric, const std::string& session,
                   const std::string& more_labels) {
  return metric + "{session=\"" + session + "\"" + more_labels + "}";
}

}  // namespace metricstest
