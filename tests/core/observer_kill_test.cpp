// Observers SIGKILLed while they read, a thousand times, while a real parent and child
// exchange messages: `shmipc watch`, a library Observer (pread copies) and an observer that
// joins the session (a member with a slot, writing the journal) are each killed at random
// moments, joining and leaving included. The peers never notice: every message is delivered,
// in order, once, and neither peer reports anything.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "shmipc/error.hpp"
#include "shmipc/observer.hpp"
#include "shmipc/session.hpp"
#include "cli_helpers.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;

namespace {

using Cleanup = shmtest::SegmentCleanup;
using shmtest::says;
using shmtest::shmipc_cmd;

shmtest::ChildProcess start_reader(const std::string& session, int kind) {
  switch (kind) {
    case 0:
      return shmtest::ChildProcess::spawn(shmipc_cmd("watch", session, {"--interval", "1"}));
    case 1:
      return shmtest::ChildProcess::fork([session]() -> int {
        for (;;) {
          auto observer = shmipc::Observer::open(session);
          const shmipc::Snapshot snap = observer->snapshot();
          (void)observer->journal_since(snap, 0);
        }
      });
    default:
      return shmtest::ChildProcess::fork([session]() -> int {
        shmipc::SessionOptions o;
        o.name = session;
        o.role = shmipc::RoleRequest::Observer;
        for (;;) {
          auto member = shmipc::Session::join(o);
          member->heartbeat();
          member->leave();
        }
      });
  }
}

}  // namespace

TEST_CASE("a thousand observers SIGKILLed while reading never disturb the peers' exchange") {
  shmtest::Watchdog dog(110s, "observer kills");
  const std::string session = shmtest::unique_session_name("observer-kills");
  Cleanup cleanup{session};
  auto parent = shmtest::ChildProcess::spawn(shmipc_cmd("parent", session));
  REQUIRE(shmtest::eventually([&] { return says(parent, "waiting for the child"); }, 20s));
  auto child = shmtest::ChildProcess::spawn(
      shmipc_cmd("child", session, {"--send", "m", "--every", "0.001", "--timeout", "20"}));
  REQUIRE(shmtest::eventually([&] { return says(parent, "m #1\n"); }, 20s));

  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> delay_us(0, 4000);
  constexpr int kKills = 1000;
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < kKills; ++i) {
    auto reader = start_reader(session, i % 3);
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
    reader.kill(SIGKILL);
    REQUIRE(reader.wait_for(10s).has_value());
    if (i % 100 == 99) REQUIRE(child.running());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  // Slots of killed member observers are taken over: one more still finds room.
  {
    shmipc::SessionOptions o;
    o.name = session;
    o.role = shmipc::RoleRequest::Observer;
    CHECK_NOTHROW(shmipc::Session::join(o));
  }
  REQUIRE(child.running());
  REQUIRE(parent.running());
  child.kill(SIGTERM);  // leaves the session; the parent stays
  REQUIRE(child.wait_for(20s).has_value());
  CHECK(child.stderr_text().find("shmipc child:") == std::string::npos);

  // Every round the child reported as received, the parent printed once, in order.
  std::set<long> rounds;
  long highest = 0, lines = 0;
  std::istringstream out(parent.stdout_text());
  std::string line;
  while (std::getline(out, line)) {
    CHECK(line.find("TORN") == std::string::npos);
    CHECK(line.find("CHECKSUM") == std::string::npos);
    CHECK(line.find("lost before") == std::string::npos);
    CHECK(line.find("withdrawn") == std::string::npos);
    const auto at = line.find("): m #");
    if (at == std::string::npos) continue;
    const long round = std::stol(line.substr(at + 6));
    ++lines;
    rounds.insert(round);
    highest = std::max(highest, round);
  }
  long received = 0;
  std::istringstream child_out(child.stdout_text());
  while (std::getline(child_out, line)) {
    if (line.find("received by the parent") != std::string::npos) ++received;
  }
  MESSAGE(kKills, " observers killed in ", seconds, " s while ", lines,
          " messages went through; the child saw ", received, " receipts");
  CHECK(lines == static_cast<long>(rounds.size()));  // none twice
  CHECK(static_cast<long>(rounds.size()) == highest);  // none missing: 1..highest
  CHECK(received <= lines);
  CHECK(received >= lines - 1);  // the last one may have been cut by SIGTERM before its line
  CHECK(lines > 100);
  parent.kill(SIGTERM);
  CHECK(parent.wait_for(20s).has_value());
}
