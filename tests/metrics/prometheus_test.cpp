// A real Prometheus server (Debian package prometheus) on loopback scrapes `shmipc metrics`
// every half second while a real session runs, and its query API reports the delivered count:
// the OpenMetrics text is checked by Prometheus's own parser, end to end.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "exporter_process.hpp"

using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string find_prometheus() {
  if (const char* env = std::getenv("SHMSCOPE_PROMETHEUS")) return env;
  for (const char* p : {"/usr/bin/prometheus", "/usr/local/bin/prometheus"})
    if (::access(p, X_OK) == 0) return p;
  return {};
}

// A port nobody listens on right now (the kernel's pick, released for Prometheus to bind).
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "shmscope-prometheus-XXXXXX").string();
    REQUIRE(::mkdtemp(templ.data()) != nullptr);
    path = templ;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// The value Prometheus's instant query returns for `query`, if it has one.
std::optional<std::string> query_value(int port, const std::string& query) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(5, 0);
  auto res = client.Get("/api/v1/query", httplib::Params{{"query", query}}, httplib::Headers{});
  if (!res || res->status != 200) return std::nullopt;
  const auto j = nlohmann::json::parse(res->body, nullptr, false);
  if (j.is_discarded() || j.value("status", "") != "success") return std::nullopt;
  const auto& result = j["data"]["result"];
  if (!result.is_array() || result.empty()) return std::nullopt;
  return result[0]["value"][1].get<std::string>();
}

}  // namespace

TEST_CASE("a real Prometheus server scrapes the exporter and reports the delivered messages") {
  const std::string prometheus = find_prometheus();
  if (prometheus.empty()) {
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true")
      FAIL("prometheus is not installed; CI installs the Debian package prometheus (.ci/bootstrap)");
    MESSAGE("SKIPPED: no prometheus binary (apt install prometheus): the exporter was not "
            "scraped by a real Prometheus");
    return;
  }
  shmtest::Watchdog watchdog(100s, "prometheus scrape");
  const std::string session = shmtest::unique_session_name("metrics-prometheus");
  metricstest::SegmentCleanup cleanup{session};
  auto exporter = metricstest::Exporter::start();

  TempDir dir;
  const int web_port = free_port();
  {
    std::ofstream config(dir.path / "prometheus.yml");
    config << "global:\n"
              "  scrape_interval: 500ms\n"
              "  scrape_timeout: 400ms\n"
              "scrape_configs:\n"
              "  - job_name: shmipc\n"
              "    static_configs:\n"
              "      - targets: ['127.0.0.1:"
           << exporter.port << "']\n";
  }
  auto server = shmtest::ChildProcess::spawn(
      {prometheus, "--config.file=" + (dir.path / "prometheus.yml").string(),
       "--storage.tsdb.path=" + (dir.path / "data").string(),
       "--web.listen-address=127.0.0.1:" + std::to_string(web_port), "--log.level=warn"});
  REQUIRE_MESSAGE(shmtest::eventually(
                      [&] {
                        httplib::Client c("127.0.0.1", web_port);
                        auto r = c.Get("/-/ready");
                        return (r && r->status == 200) || !server.running();
                      },
                      30s),
                  "prometheus did not become ready: " << server.stderr_text());
  REQUIRE_MESSAGE(server.running(), "prometheus exited: " << server.stderr_text());

  auto parent = shmtest::ChildProcess::spawn(metricstest::shmipc_cmd("parent", session));
  REQUIRE(shmtest::eventually(
      [&] { return parent.stdout_text().find("waiting for the child") != std::string::npos; },
      10s));
  constexpr int kMessages = 9;
  std::vector<std::string> extra;
  for (int i = 1; i <= kMessages; ++i) {
    extra.push_back("--send");
    extra.push_back("prom-" + std::to_string(i));
  }
  auto child = shmtest::ChildProcess::spawn(metricstest::shmipc_cmd("child", session, extra));
  REQUIRE(child.wait_for(30s) == std::optional<int>(0));

  const std::string query = "shmipc_messages_delivered_total{session=\"" + session + "\"}";
  std::optional<std::string> value;
  const auto began = std::chrono::steady_clock::now();
  REQUIRE_MESSAGE(shmtest::eventually(
                      [&] {
                        value = query_value(web_port, query);
                        return value == std::to_string(kMessages);
                      },
                      30s),
                  "Prometheus reported " << value.value_or("nothing") << " for " << query
                                         << "; its log: " << server.stderr_text());
  MESSAGE("Prometheus reported " << *value << " delivered messages "
          << std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now() - began).count()
          << " ms after the child finished");
  // The histogram went through Prometheus's OpenMetrics parser as well.
  CHECK(query_value(web_port, "shmipc_handoff_latency_seconds_count{session=\"" + session +
                                  "\"}") == std::to_string(kMessages));
  CHECK(query_value(web_port, "up{job=\"shmipc\"}") == std::string("1"));

  auto killer =
      shmtest::ChildProcess::spawn(metricstest::shmipc_cmd("child", session, {"--kill"}));
  CHECK(killer.wait_for(20s) == std::optional<int>(0));
  CHECK(parent.wait_for(20s) == std::optional<int>(0));
  server.kill(SIGTERM);
  CHECK(server.wait_for(20s).has_value());
}
