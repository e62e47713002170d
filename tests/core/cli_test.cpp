// The real `shmipc` binary, driven as a user would from two terminals.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shmipc/session.hpp"
#include "cli_helpers.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;

namespace {

using shmtest::Run;
using shmtest::run;

using Cleanup = shmtest::SegmentCleanup;
using shmtest::says;

std::vector<std::string> command(const std::string& sub, const std::string& session,
                                 std::vector<std::string> extra = {}) {
  std::vector<std::string> argv{shmtest::binary_path("shmipc"), sub, "--session", session};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

// Starts `shmipc parent` and waits until it has joined (its first line).
shmtest::ChildProcess start_parent(const std::string& session) {
  auto parent = shmtest::ChildProcess::spawn(command("parent", session));
  REQUIRE(shmtest::eventually([&] { return says(parent, "waiting for the child"); }, 10s));
  return parent;
}

// Starts a child that sends one message and then stays (it sleeps until killed).
shmtest::ChildProcess start_staying_child(const std::string& session, const std::string& text) {
  auto child =
      shmtest::ChildProcess::spawn(command("child", session, {"--every", "600", "--send", text}));
  REQUIRE(shmtest::eventually([&] { return says(child, "received by the parent"); }, 10s));
  return child;
}

}  // namespace

TEST_CASE("shmipc parent prints the child's hello, exits 0 on KILL_APP and leaves no segment") {
  shmtest::Watchdog watchdog(60s, "parent + child");
  const std::string name = shmtest::unique_session_name("cli-hello");
  Cleanup cleanup{name};
  auto parent = start_parent(name);
  const Run child = run(command("child", name, {"--send", "hello", "--kill"}));
  CHECK(child.code == 0);
  CHECK(parent.wait_for(10s) == 0);
  INFO(parent.stdout_text());
  CHECK(says(parent, "message #1 (5 bytes): hello"));
  CHECK(says(parent, "KILL_APP"));
  CHECK_FALSE(shmtest::segment_exists(name));
}

TEST_CASE("a third shmipc join is refused with exit code 4 and says the session is full") {
  shmtest::Watchdog watchdog(60s, "session full");
  const std::string name = shmtest::unique_session_name("cli-full");
  Cleanup cleanup{name};
  auto parent = start_parent(name);
  auto child = start_staying_child(name, "first");
  const Run third = run(command("join", name));
  CHECK(third.code == 4);
  CHECK(third.err.find("session full") != std::string::npos);
}

TEST_CASE("an invalid session name is refused with exit code 3 and names the bad character") {
  const Run r = run({shmtest::binary_path("shmipc"), "status", "--session", "bad/name"});
  CHECK(r.code == 3);
  CHECK(r.err.find("invalid session name") != std::string::npos);
  CHECK(r.err.find("'/' at position 4") != std::string::npos);
}

TEST_CASE("a --send over 1000 bytes exits with code 9 before anything is written") {
  const std::string name = shmtest::unique_session_name("cli-oversize");
  const Run r = run(command("child", name, {"--send", std::string(1001, 'x')}));
  CHECK(r.code == 9);
  CHECK(r.err.find("1001 bytes exceeds the limit of 1000") != std::string::npos);
  CHECK_FALSE(shmtest::segment_exists(name));
}

TEST_CASE("shmipc status --json is valid JSON naming the parent's pid, even for non-UTF-8 data") {
  shmtest::Watchdog watchdog(60s, "status --json");
  const std::string name = shmtest::unique_session_name("cli-json");
  Cleanup cleanup{name};
  auto parent = start_parent(name);
  auto child = start_staying_child(name, "q\"uote\\ \xff\xfe");
  const Run status = run(command("status", name, {"--json"}));
  REQUIRE(status.code == 0);
  INFO(status.out);
  nlohmann::json j;
  REQUIRE_NOTHROW(j = nlohmann::json::parse(status.out));
  CHECK(j["parent"]["pid"] == parent.pid());
  CHECK(j["parent"]["alive"] == true);
  CHECK(j["child"]["pid"] == child.pid());
  CHECK(j["childAck"] == true);
  CHECK(j["sequence"] == 1);
  CHECK(j["events"].size() == 5);
  CHECK(j["data"].get<std::string>().rfind("q\"uote\\ ", 0) == 0);
}

TEST_CASE("shmipc clean removes a segment whose processes died without leaving") {
  shmtest::Watchdog watchdog(60s, "clean");
  const std::string name = shmtest::unique_session_name("cli-clean");
  Cleanup cleanup{name};
  auto crashed = shmtest::ChildProcess::fork([&] {
    shmipc::SessionOptions o;
    o.name = name;
    o.role = shmipc::RoleRequest::Parent;
    auto s = shmipc::Session::join(o);
    ::_exit(0);  // dies as a crash would: no leave(), the segment stays
    return 1;
  });
  REQUIRE(crashed.wait_for(10s) == 0);
  REQUIRE(shmtest::segment_exists(name));
  const Run r = run(command("clean", name));
  CHECK(r.code == 0);
  CHECK(r.out.find("removed stale session") != std::string::npos);
  CHECK_FALSE(shmtest::segment_exists(name));
}

TEST_CASE("shmipc clean refuses a session in use with exit code 5") {
  shmtest::Watchdog watchdog(60s, "clean in use");
  const std::string name = shmtest::unique_session_name("cli-clean-busy");
  Cleanup cleanup{name};
  auto parent = start_parent(name);
  const Run r = run(command("clean", name));
  CHECK(r.code == 5);
  CHECK(r.err.find("in use") != std::string::npos);
  CHECK(shmtest::segment_exists(name));
}

TEST_CASE("shmipc lock --hold shows in status as the mutex owner") {
  shmtest::Watchdog watchdog(60s, "lock --hold");
  const std::string name = shmtest::unique_session_name("cli-lock");
  Cleanup cleanup{name};
  auto parent = start_parent(name);
  auto lock = shmtest::ChildProcess::spawn(command("lock", name, {"--hold", "30"}));
  REQUIRE(shmtest::eventually([&] { return says(lock, "holding the mutex"); }, 10s));
  const Run status = run(command("status", name, {"--json"}));
  REQUIRE(status.code == 0);
  const auto j = nlohmann::json::parse(status.out);
  CHECK(j["mutex"]["held"] == true);
  CHECK(j["mutex"]["ownerPid"] == lock.pid());
  CHECK(j["mutex"]["ownerRole"] == "tool");
  const Run text = run(command("status", name));
  CHECK(text.out.find("HELD by pid " + std::to_string(lock.pid())) != std::string::npos);
}

TEST_CASE("shmipc watch --count draws the view the given number of times and exits") {
  shmtest::Watchdog watchdog(60s, "watch");
  const std::string name = shmtest::unique_session_name("cli-watch");
  Cleanup cleanup{name};
  auto parent = start_parent(name);
  const Run r = run(command("watch", name, {"--interval", "10", "--count", "3"}));
  CHECK(r.code == 0);
  std::size_t frames = 0;
  for (std::size_t at = 0; (at = r.out.find("\x1b[H\x1b[J", at)) != std::string::npos; ++at)
    ++frames;
  CHECK(frames == 3);
  CHECK(r.out.find("parent  pid " + std::to_string(parent.pid())) != std::string::npos);
}

TEST_CASE("shmipc child reads lines from stdin and /kill ends the parent") {
  shmtest::Watchdog watchdog(60s, "child from stdin");
  const std::string name = shmtest::unique_session_name("cli-stdin");
  Cleanup cleanup{name};
  auto parent = start_parent(name);
  auto child = shmtest::ChildProcess::spawn(command("child", name), "one\ntwo\n/ping\n/kill\n");
  CHECK(child.wait_for(10s) == 0);
  CHECK(parent.wait_for(10s) == 0);
  INFO(parent.stdout_text());
  CHECK(says(parent, "message #1 (3 bytes): one"));
  CHECK(says(parent, "message #2 (3 bytes): two"));
  CHECK(says(parent, "command PING"));
  CHECK_FALSE(shmtest::segment_exists(name));
}

TEST_CASE("shmipc join makes the first process the parent and the second the child") {
  shmtest::Watchdog watchdog(60s, "join");
  const std::string name = shmtest::unique_session_name("cli-join");
  Cleanup cleanup{name};
  auto first = shmtest::ChildProcess::spawn(command("join", name));
  REQUIRE(shmtest::eventually([&] { return says(first, "as the parent"); }, 10s));
  const Run second = run(command("join", name, {"--send", "hi", "--kill"}));
  CHECK(second.code == 0);
  CHECK(second.out.find("as the child") != std::string::npos);
  CHECK(first.wait_for(10s) == 0);
  CHECK(says(first, "message #1 (2 bytes): hi"));
}

TEST_CASE("shmipc demo runs a parent and a child and leaves nothing in /dev/shm") {
  shmtest::Watchdog watchdog(60s, "demo");
  auto demo =
      shmtest::ChildProcess::spawn({shmtest::binary_path("shmipc"), "demo", "--seconds", "1.5"});
  REQUIRE(demo.wait_for(30s) == 0);
  const std::string out = demo.stdout_text();
  INFO(out);
  CHECK(out.find("parent | message #1") != std::string::npos);
  CHECK(out.find("KILL_APP") != std::string::npos);
  CHECK(out.find("nothing left in /dev/shm") != std::string::npos);
  CHECK_FALSE(shmtest::segment_exists("demo-" + std::to_string(demo.pid())));
}

TEST_CASE("Ctrl-C or SIGTERM makes a peer leave, so the last one out still removes the segment") {
  shmtest::Watchdog watchdog(60s, "stop signals");
  const std::string name = shmtest::unique_session_name("cli-signal");
  Cleanup cleanup{name};
  auto parent = start_parent(name);
  auto child = start_staying_child(name, "hi");
  child.kill(SIGINT);
  CHECK(child.wait_for(10s) == 128 + SIGINT);
  CHECK(child.stderr_text().find("left the session") != std::string::npos);
  CHECK(shmtest::segment_exists(name));  // the parent is still in it
  parent.kill(SIGTERM);
  CHECK(parent.wait_for(10s) == 128 + SIGTERM);
  CHECK_FALSE(shmtest::segment_exists(name));
}

TEST_CASE(
    "a stdin line over 1000 bytes is refused, the next lines still go, and the exit code is 9") {
  shmtest::Watchdog watchdog(60s, "oversize stdin line");
  const std::string name = shmtest::unique_session_name("cli-stdin-oversize");
  Cleanup cleanup{name};
  auto parent = start_parent(name);
  auto child = shmtest::ChildProcess::spawn(command("child", name),
                                            "ok\n" + std::string(1001, 'x') + "\nafter\n/kill\n");
  CHECK(child.wait_for(10s) == 9);
  CHECK(child.stderr_text().find("1001 bytes exceeds the limit of 1000") != std::string::npos);
  CHECK(parent.wait_for(10s) == 0);
  INFO(parent.stdout_text());
  CHECK(says(parent, "message #1 (2 bytes): ok"));
  CHECK(says(parent, "message #2 (5 bytes): after"));
  CHECK_FALSE(says(parent, "xxxxxxxx"));
}
