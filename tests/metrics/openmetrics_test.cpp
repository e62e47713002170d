// The OpenMetrics text, the --listen parser and the /metrics query, without processes.
#include <doctest/doctest.h>

#include <set>
#include <sstream>
#include <string>

#include "shmipc/error.hpp"
#include "shmmetrics/histogram.hpp"
#include "shmmetrics/listen_address.hpp"
#include "shmmetrics/openmetrics.hpp"
#include "shmmetrics/query.hpp"

using shmmetrics::SessionMetrics;

namespace {

SessionMetrics sample_session(const std::string& name) {
  SessionMetrics s;
  s.name = name;
  s.journal.messages_delivered = 12;
  s.journal.handoff.observe_ns(3'000);
  s.journal.handoff.observe_ns(2'000'000);
  s.block.mutex_held_ns.see(1'500'000'000);
  s.gauges.peers_alive[0] = 1;
  return s;
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("the OpenMetrics text has TYPE, UNIT and HELP for every family, cumulative buckets and ends with EOF") {
  const std::string text =
      shmmetrics::render_openmetrics({sample_session("a"), sample_session("b")}, {});
  CHECK(text.size() > 6);
  CHECK(text.substr(text.size() - 6) == "# EOF\n");
  CHECK(has_line(text, "# TYPE shmipc_messages_delivered counter"));
  CHECK(has_line(text, "shmipc_messages_delivered_total{session=\"a\"} 12"));
  CHECK(has_line(text, "shmipc_messages_delivered_total{session=\"b\"} 12"));
  CHECK(has_line(text, "# TYPE shmipc_handoff_latency_seconds histogram"));
  CHECK(has_line(text, "# UNIT shmipc_handoff_latency_seconds seconds"));
  CHECK(has_line(text, "shmipc_handoff_latency_seconds_bucket{session=\"a\",le=\"0.000005\"} 1"));
  CHECK(has_line(text, "shmipc_handoff_latency_seconds_bucket{session=\"a\",le=\"0.0025\"} 2"));
  CHECK(has_line(text, "shmipc_handoff_latency_seconds_bucket{session=\"a\",le=\"+Inf\"} 2"));
  CHECK(has_line(text, "shmipc_handoff_latency_seconds_sum{session=\"a\"} 0.002003"));
  CHECK(has_line(text, "shmipc_handoff_latency_seconds_count{session=\"a\"} 2"));
  CHECK(has_line(text, "shmipc_mutex_held_seconds_total{session=\"a\"} 1.5"));
  CHECK(has_line(text, "shmipc_peers_alive{session=\"a\",role=\"parent\"} 1"));
  CHECK(has_line(text, "shmipc_session_corrupt{session=\"a\"} 0"));

  // Every family: TYPE first, then UNIT (only with a unit suffix) and HELP, then its samples,
  // which all start with the family's name; no family twice.
  std::istringstream lines(text);
  std::string line, family;
  std::set<std::string> families;
  while (std::getline(lines, line)) {
    if (line == "# EOF") break;
    if (line.rfind("# TYPE ", 0) == 0) {
      family = line.substr(7, line.find(' ', 7) - 7);
      CHECK_MESSAGE(families.insert(family).second, family);
    } else if (line.rfind("# UNIT ", 0) == 0) {
      CHECK(line == "# UNIT " + family + " seconds");
      CHECK(family.size() > 8);
      CHECK(family.substr(family.size() - 8) == "_seconds");
    } else if (line.rfind("# HELP " + family + " ", 0) != 0) {
      CHECK_MESSAGE(line.rfind(family, 0) == 0, line);
    }
  }
  CHECK(families.size() > 30);
}

TEST_CASE("label values and durations are written exactly") {
  CHECK(shmmetrics::escape_label_value("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
  CHECK(shmmetrics::ns_as_seconds(0) == "0");
  CHECK(shmmetrics::ns_as_seconds(100) == "0.0000001");
  CHECK(shmmetrics::ns_as_seconds(2'500) == "0.0000025");
  CHECK(shmmetrics::ns_as_seconds(1'000'000'000) == "1");
  CHECK(shmmetrics::ns_as_seconds(12'000'000'001) == "12.000000001");
  shmmetrics::Histogram h;
  h.observe_ns(UINT64_MAX);
  h.observe_ns(UINT64_MAX);
  CHECK(h.sum_ns() == UINT64_MAX);  // saturates, never wraps to a smaller sum
  CHECK(h.cumulative(shmmetrics::Histogram::bounds() - 1) == 0);
  CHECK(h.cumulative(shmmetrics::Histogram::bounds()) == 2);
}

TEST_CASE("the listen address parser takes HOST:PORT forms and refuses the rest with a reason") {
  using shmmetrics::parse_listen_address;
  auto a = parse_listen_address("127.0.0.1:9464");
  CHECK(a.host == "127.0.0.1");
  CHECK(a.port == 9464);
  auto b = parse_listen_address("[::1]:0");
  CHECK(b.host == "::1");
  CHECK(b.port == 0);
  CHECK(b.text() == "[::1]:0");
  CHECK(parse_listen_address("localhost:65535").port == 65535);
  CHECK(parse_listen_address("0.0.0.0:80").host == "0.0.0.0");

  auto refusal = [](const std::string& text) {
    try {
      parse_listen_address(text);
    } catch (const shmipc::Error& e) {
      CHECK(e.code() == shmipc::ErrorCode::Usage);
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(refusal("9464").find("the port is missing") != std::string::npos);
  CHECK(refusal(":9464").find("the host is missing") != std::string::npos);
  CHECK(refusal("127.0.0.1:70000").find("out of range") != std::string::npos);
  CHECK(refusal("127.0.0.1:94a4").find("not a number") != std::string::npos);
  CHECK(refusal("127.0.0.1:").find("the port is missing") != std::string::npos);
  CHECK(refusal("::1:9464").find("brackets") != std::string::npos);
  CHECK(refusal("[::1]9464").find("':PORT' must follow") != std::string::npos);
  CHECK(refusal("[::1:9464").find("closing") != std::string::npos);
  CHECK(refusal("ho st:1").find("only letters") != std::string::npos);
  CHECK(refusal("").find("empty") != std::string::npos);
}

TEST_CASE("the metrics query takes session names and refuses anything else") {
  auto q = shmmetrics::parse_metrics_query({{"session", "a"}, {"session", "b-1"}});
  CHECK(q.sessions == std::set<std::string>{"a", "b-1"});
  CHECK(shmmetrics::parse_metrics_query({}).sessions.empty());
  CHECK_THROWS_WITH_AS(shmmetrics::parse_metrics_query({{"format", "text"}}),
                       doctest::Contains("unknown query parameter \"format\""), shmipc::Error);
  CHECK_THROWS_WITH_AS(shmmetrics::parse_metrics_query({{"session", "../etc"}}),
                       doctest::Contains("session=\"../etc\""), shmipc::Error);
  CHECK_THROWS_AS(shmmetrics::parse_metrics_query({{"session", ""}}), shmipc::Error);
}
