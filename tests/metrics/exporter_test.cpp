// `shmipc metrics` as a real process, scraped over HTTP while real shmipc parents and children
// exchange messages on real shared memory.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "exporter_process.hpp"
#include "shmipc/block.hpp"
#include "shmmetrics/openmetrics.hpp"

using namespace std::chrono_literals;
using metricstest::sample;
using metricstest::series;
using metricstest::shmipc_cmd;
using shmtest::says;

namespace {

// A parent waiting for messages on `session`.
shmtest::ChildProcess start_parent(const std::string& session) {
  auto parent = shmtest::ChildProcess::spawn(shmipc_cmd("parent", session));
  REQUIRE(shmtest::eventually([&] { return says(parent, "waiting for the child"); }, 10s));
  return parent;
}

// A child that sends `count` messages and leaves (the parent stays).
void send_messages(const std::string& session, int count, const std::string& label) {
  std::vector<std::string> extra;
  for (int i = 1; i <= count; ++i) {
    extra.push_back("--send");
    extra.push_back(label + "-" + std::to_string(i));
  }
  auto child = shmtest::ChildProcess::spawn(shmipc_cmd("child", session, extra));
  REQUIRE_MESSAGE(child.wait_for(30s) == std::optional<int>(0), child.stderr_text());
}

void stop_parent(const std::string& session, shmtest::ChildProcess& parent) {
  auto killer = shmtest::ChildProcess::spawn(shmipc_cmd("child", session, {"--kill"}));
  CHECK(killer.wait_for(20s) == std::optional<int>(0));
  CHECK(parent.wait_for(20s) == std::optional<int>(0));
}

}  // namespace

TEST_CASE("the exporter counts every message a real parent and child exchange, one hand-off each") {
  shmtest::Watchdog watchdog(90s, "metrics exchange");
  const std::string session = shmtest::unique_session_name("metrics-exchange");
  metricstest::SegmentCleanup cleanup{session};
  auto exporter = metricstest::Exporter::start();
  auto parent = start_parent(session);

  constexpr int kMessages = 25;
  const std::string delivered = series("shmipc_messages_delivered_total", session);
  send_messages(session, kMessages, "m");
  const std::string text = metricstest::scrape_until(exporter, delivered, kMessages, 10s);
  REQUIRE_MESSAGE(sample(text, delivered) == kMessages, text);
  CHECK(sample(text, series("shmipc_messages_sent_total", session)) == kMessages);
  CHECK(sample(text, series("shmipc_handoff_latency_seconds_count", session)) == kMessages);
  CHECK(sample(text, series("shmipc_handoff_latency_seconds_bucket", session, ",le=\"+Inf\"")) ==
        kMessages);
  // Each message: the child writes under the mutex and the parent reads under it.
  const auto holds = sample(text, series("shmipc_mutex_hold_seconds_count", session));
  const auto acquisitions = sample(text, series("shmipc_mutex_acquisitions_total", session));
  REQUIRE(holds);
  REQUIRE(acquisitions);
  CHECK(*holds >= 2 * kMessages);
  CHECK(*acquisitions >= *holds);
  CHECK(sample(text, series("shmipc_journal_records_lost_total", session)) == 0);
  CHECK(sample(text, series("shmipc_peers_alive", session, ",role=\"parent\"")) == 1);
  CHECK(sample(text, series("shmipc_session_corrupt", session)) == 0);
  CHECK(sample(text, series("shmipc_torn_writes_total", session)) == 0);
  CHECK(sample(text, series("shmipc_checksum_failures_total", session)) == 0);
  MESSAGE("hand-off latency sum over " << kMessages << " messages: "
          << *sample(text, series("shmipc_handoff_latency_seconds_sum", session)) << " s");

  // Scrapes later never go backwards, and the session filter keeps only that session.
  auto res = exporter.get("/metrics?session=" + session);
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->get_header_value("Content-Type") == std::string(shmmetrics::kOpenMetricsContentType));
  CHECK(sample(res->body, delivered) == kMessages);
  CHECK(res->body.find("{session=\"") == res->body.find("{session=\"" + session + "\""));

  // Scraped while another child sends a message every 10 ms: the counter only grows.
  auto ticker = shmtest::ChildProcess::spawn(
      shmipc_cmd("child", session, {"--send", "tick", "--every", "0.01"}));
  double previous = kMessages;
  int scrapes = 0;
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (previous < kMessages + 30 && std::chrono::steady_clock::now() < until) {
    const double now = sample(exporter.scrape(), delivered).value_or(0);
    CHECK(now >= previous);
    previous = now;
    ++scrapes;
  }
  CHECK(previous >= kMessages + 30);
  MESSAGE(scrapes << " scrapes while a child sent every 10 ms; the last saw " << previous);
  ticker.kill(SIGTERM);
  CHECK(ticker.wait_for(20s).has_value());
  stop_parent(session, parent);
}

TEST_CASE("a session whose block is recreated under the same name goes on counting from its totals") {
  shmtest::Watchdog watchdog(90s, "metrics recreated");
  const std::string session = shmtest::unique_session_name("metrics-recreated");
  metricstest::SegmentCleanup cleanup{session};
  auto exporter = metricstest::Exporter::start();
  const std::string delivered = series("shmipc_messages_delivered_total", session);
  {
    auto parent = start_parent(session);
    send_messages(session, 4, "first");
    CHECK(sample(metricstest::scrape_until(exporter, delivered, 4, 10s), delivered) == 4);
    stop_parent(session, parent);
  }
  REQUIRE(shmtest::eventually([&] { return !shmtest::segment_exists(session); }, 10s));
  // Gone from the endpoint, but remembered.
  REQUIRE(shmtest::eventually([&] { return !sample(exporter.scrape(), delivered); }, 10s));

  auto parent = start_parent(session);
  send_messages(session, 3, "second");
  const std::string text = metricstest::scrape_until(exporter, delivered, 7, 10s);
  CHECK(sample(text, delivered) == 7);
  CHECK(sample(text, series("shmipc_block_recreations_total", session)) == 1);
  CHECK(sample(text, series("shmipc_handoff_latency_seconds_count", session)) == 7);
  stop_parent(session, parent);
}

TEST_CASE("a corrupt session is reported as corrupt and the other sessions are still exported") {
  shmtest::Watchdog watchdog(90s, "metrics corrupt");
  const std::string healthy = shmtest::unique_session_name("metrics-healthy");
  const std::string corrupt = shmtest::unique_session_name("metrics-corrupt");
  const std::string garbage = shmtest::unique_session_name("metrics-garbage");
  metricstest::SegmentCleanup c1{healthy}, c2{corrupt}, c3{garbage};

  // A block whose header is valid but whose data_size is past the capacity...
  std::vector<unsigned char> bytes(sizeof(shmipc::Block), 0);
  const std::uint64_t magic = shmipc::kBlockMagic;
  const std::uint32_t version = shmipc::kLayoutVersion, size = sizeof(shmipc::Block);
  const std::uint32_t ready = shmipc::kInitReady, data_size = 4000;
  std::memcpy(&bytes[0], &magic, 8);
  std::memcpy(&bytes[8], &version, 4);
  std::memcpy(&bytes[12], &size, 4);
  std::memcpy(&bytes[40], &ready, 4);
  std::memcpy(&bytes[offsetof(shmipc::Block, message) + offsetof(shmipc::MessageArea, data_size)],
              &data_size, 4);
  // ...and one of the right size full of 0xAB.
  std::vector<unsigned char> noise(sizeof(shmipc::Block), 0xAB);
  for (const auto& [name, content] : {std::pair{corrupt, &bytes}, std::pair{garbage, &noise}}) {
    const std::string path = "/dev/shm/shmscope." + name;
    const int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, content->data(), content->size()) ==
            static_cast<ssize_t>(content->size()));
    ::close(fd);
  }

  auto exporter = metricstest::Exporter::start();
  auto parent = start_parent(healthy);
  send_messages(healthy, 2, "ok");
  const std::string text = metricstest::scrape_until(
      exporter, series("shmipc_messages_delivered_total", healthy), 2, 10s);
  CHECK(sample(text, series("shmipc_messages_delivered_total", healthy)) == 2);
  CHECK(sample(text, series("shmipc_session_corrupt", healthy)) == 0);
  CHECK(sample(text, series("shmipc_session_corrupt", corrupt)) == 1);
  CHECK(sample(text, series("shmipc_session_corrupt", garbage)) == 1);
  CHECK(sample(text, series("shmipc_session_problems", corrupt)) >= 1);
  CHECK(text.substr(text.size() - 6) == "# EOF\n");
  stop_parent(healthy, parent);
}

TEST_CASE("bad requests get 400, 404 and 405 with a reason, and HEAD is served") {
  shmtest::Watchdog watchdog(60s, "metrics http errors");
  auto exporter = metricstest::Exporter::start();
  httplib::Client client("127.0.0.1", exporter.port);
  client.set_read_timeout(10, 0);

  auto missing = client.Get("/nope");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(missing->body.find("/metrics") != std::string::npos);

  auto post = client.Post("/metrics", "x", "text/plain");
  REQUIRE(post);
  CHECK(post->status == 405);
  CHECK(post->get_header_value("Allow") == "GET, HEAD");

  auto bad_name = client.Get("/metrics?session=..%2Fetc");
  REQUIRE(bad_name);
  CHECK(bad_name->status == 400);
  CHECK(bad_name->body.find("session=\"../etc\"") != std::string::npos);

  auto bad_param = client.Get("/metrics?format=protobuf");
  REQUIRE(bad_param);
  CHECK(bad_param->status == 400);
  CHECK(bad_param->body.find("unknown query parameter \"format\"") != std::string::npos);

  auto head = client.Head("/metrics");
  REQUIRE(head);
  CHECK(head->status == 200);
  CHECK(head->body.empty());

  auto root = client.Get("/");
  REQUIRE(root);
  CHECK(root->status == 200);
  // Still serving after all that.
  CHECK(exporter.scrape().find("# EOF") != std::string::npos);
}

TEST_CASE("a port already in use or a bad address is a clear error with its exit code") {
  shmtest::Watchdog watchdog(60s, "metrics bind");
  auto first = metricstest::Exporter::start();
  const std::string taken = "127.0.0.1:" + std::to_string(first.port);
  auto second = shmtest::ChildProcess::spawn(
      {shmtest::binary_path("shmipc"), "metrics", "--listen", taken});
  CHECK(second.wait_for(20s) == std::optional<int>(12));
  CAPTURE(second.stderr_text());
  CHECK(second.stderr_text().find("cannot listen on " + taken + ": Address already in use") !=
        std::string::npos);

  auto bad = shmtest::ChildProcess::spawn(
      {shmtest::binary_path("shmipc"), "metrics", "--listen", "127.0.0.1:99999"});
  CHECK(bad.wait_for(20s) == std::optional<int>(2));
  CHECK(bad.stderr_text().find("out of range") != std::string::npos);
}

TEST_CASE("SIGTERM and SIGINT stop the exporter cleanly with exit code 0") {
  shmtest::Watchdog watchdog(60s, "metrics signals");
  for (int sig : {SIGTERM, SIGINT}) {
    CAPTURE(sig);
    auto exporter = metricstest::Exporter::start();
    // With a kept-alive connection open, as Prometheus keeps one.
    httplib::Client client("127.0.0.1", exporter.port);
    client.set_keep_alive(true);
    REQUIRE(client.Get("/metrics"));
    exporter.process.kill(sig);
    CHECK(exporter.process.wait_for(15s) == std::optional<int>(0));
    CHECK(exporter.process.stdout_text().find("stopped (" + std::string(strsignal(sig)) + ")") !=
          std::string::npos);
  }
}

TEST_CASE("shmipc metrics --once prints one collection of every session and exits 0") {
  shmtest::Watchdog watchdog(60s, "metrics once");
  const std::string session = shmtest::unique_session_name("metrics-once");
  metricstest::SegmentCleanup cleanup{session};
  auto parent = start_parent(session);
  send_messages(session, 3, "once");
  auto once = shmtest::ChildProcess::spawn({shmtest::binary_path("shmipc"), "metrics", "--once"});
  REQUIRE(once.wait_for(20s) == std::optional<int>(0));
  const std::string text = once.stdout_text();
  // A block created before this exporter started: followed from the oldest record in its ring.
  CHECK(sample(text, series("shmipc_messages_delivered_total", session)) == 3);
  CHECK(sample(text, series("shmipc_peers_alive", session, ",role=\"parent\"")) == 1);
  CHECK(sample(text, "shmipc_exporter_polls_total") == 1);
  CHECK(text.substr(text.size() - 6) == "# EOF\n");
  stop_parent(session, parent);
}
