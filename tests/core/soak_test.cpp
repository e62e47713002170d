// The soak command, short: 3000 numbered messages with a random peer SIGKILLed every ~500 and
// restarted, an observer attached; every message is delivered once or reported as failed.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "test_process.hpp"

using namespace std::chrono_literals;

TEST_CASE("shmipc soak accounts for every message while peers are SIGKILLed and restarted") {
  shmtest::Watchdog dog(100s, "soak");
  const std::string session = shmtest::unique_session_name("soak");
  auto soak = shmtest::ChildProcess::spawn({shmtest::binary_path("shmipc"), "soak", "--session",
                                            session, "--messages", "3000", "--kill-every", "500"});
  const auto code = soak.wait_for(90s);
  const std::string out = soak.stdout_text();
  MESSAGE(out);
  REQUIRE(code.has_value());
  CHECK(*code == 0);
  CHECK(out.find("lost                     0\n") != std::string::npos);
  CHECK(out.find("duplicated               0\n") != std::string::npos);
  CHECK(out.find("PASS: every message accounted for") != std::string::npos);
  shmtest::remove_segment(session);
}
