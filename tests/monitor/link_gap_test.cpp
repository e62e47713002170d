// Records the ring overwrote between two looks of the live monitor become GAP entries of the
// history (rows in the sequence diagram), with exactly the lost sequence numbers.
#include <doctest/doctest.h>
#include <signal.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "app/session_link.hpp"
#include "shmipc/observer.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;

TEST_CASE("records the ring overwrote between two updates of the live monitor are kept as a gap, never hidden") {
  shmtest::Watchdog dog(120s, "live gap");
  const std::string session = shmtest::unique_session_name("link-gap");
  auto parent = shmtest::ChildProcess::spawn(
      {shmtest::binary_path("shmipc"), "parent", "--session", session});
  shmscope::SessionHistory history(1200, 8192);
  shmscope::SessionLink link(session);
  REQUIRE(shmtest::eventually(
      [&] {
        link.update(history);
        return history.latest() != nullptr && history.journal_next() > 0;
      },
      10s));
  const std::uint64_t before = history.journal_next();
  // Far more records than the ring's 2,048 while the monitor does not look.
  std::vector<std::string> argv{shmtest::binary_path("shmipc"), "child", "--session", session};
  for (int i = 0; i < 300; ++i) {
    argv.push_back("--send");
    argv.push_back("m" + std::to_string(i));
  }
  auto child = shmtest::ChildProcess::spawn(argv);
  REQUIRE(child.wait_for(60s) == 0);
  link.update(history);
  const std::uint64_t after = history.journal_next();
  MESSAGE((after - before) << " records since the last look, " << history.journal_lost() << " lost");
  REQUIRE(after - before > 2048);
  REQUIRE(!history.gaps().empty());
  const auto& g = history.gaps().front();
  CHECK(g.first_seq == before);
  std::uint64_t in_gaps = 0;
  for (const auto& gap : history.gaps()) in_gaps += gap.count;
  CHECK(in_gaps == history.journal_lost());
  // Every sequence number since `before` is either a kept record or inside a gap.
  CHECK(history.journal().back().seq + 1 - before ==
        in_gaps + static_cast<std::uint64_t>(std::count_if(
                      history.journal().begin(), history.journal().end(),
                      [&](const shmipc::JournalItem& it) { return it.seq >= before; })));
  parent.kill(SIGTERM);
  parent.wait_for(10s);
  shmtest::remove_segment(session);
}
