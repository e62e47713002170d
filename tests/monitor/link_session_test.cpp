// SessionLink, the app's connection to a session, driven without a window against real
// shmipc processes: attaching, idle detection, joining as child or parent, injections.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include "app/block_watcher.hpp"
#include "app/session_link.hpp"
#include "shmipc/session.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;
using shmscope::ActionRequest;
using shmscope::SessionHistory;
using shmscope::SessionLink;

namespace {

struct Rig {
  SessionHistory history;
  shmscope::UiState ui;
  SessionLink link;
  explicit Rig(const std::string& session) : link(session) {}

  void act(ActionRequest::Kind kind) {
    ActionRequest r;
    r.kind = kind;
    act(r);
  }
  void act(const ActionRequest& r) { link.execute(r, history, ui); }
  // Updates until `pred` holds on the link's state (each update is one frame's snapshot).
  bool until(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 10s) {
    return shmtest::eventually(
        [&] {
          link.update(history);
          return pred();
        },
        timeout);
  }
  const shmipc::Snapshot& snap() const { return *history.latest(); }
};

shmtest::ChildProcess start_parent(const std::string& session) {
  auto p = shmtest::ChildProcess::spawn(
      {shmtest::binary_path("shmipc"), "parent", "--session", session});
  REQUIRE_MESSAGE(shmtest::eventually([&] { return shmtest::segment_exists(session); }, 10s),
                  "shmipc parent did not start: " << p.stderr_text());
  return p;
}

bool journal_has_injection(const SessionHistory& h, shmipc::InjectionKind kind) {
  return std::any_of(h.journal().begin(), h.journal().end(), [&](const shmipc::JournalItem& i) {
    return i.record.kind == static_cast<std::uint16_t>(shmipc::JournalKind::Injected) &&
           i.record.arg == static_cast<std::uint32_t>(kind) &&
           (i.record.flags & shmipc::kJournalFlagInjected) != 0;
  });
}

}  // namespace

TEST_CASE("the link waits for a session that does not exist yet and attaches once it appears") {
  shmtest::Watchdog watchdog(60s, "attach retry");
  const std::string session = shmtest::unique_session_name("link-attach");
  Rig rig(session);
  CHECK_FALSE(rig.link.update(rig.history));
  CHECK_FALSE(rig.link.acting().attached);
  CHECK(rig.link.status().find("waiting for session") != std::string::npos);
  auto parent = start_parent(session);
  CHECK(rig.until([&] { return rig.link.acting().attached && rig.history.latest() != nullptr; }));
  CHECK(rig.snap().participants[shmipc::kParentSlot].pid ==
        static_cast<std::uint32_t>(parent.pid()));
  parent.kill(SIGTERM);
  parent.wait_for(5s);
  shmtest::remove_segment(session);
}

TEST_CASE("the last member's Leave is in the history when it removes the session, and the link then waits for it to reappear") {
  shmtest::Watchdog watchdog(60s, "last moments");
  const std::string session = shmtest::unique_session_name("link-gone");
  auto parent = start_parent(session);
  Rig rig(session);
  REQUIRE(rig.until([&] { return rig.history.latest() != nullptr; }));
  // The parent leaves, writing its Leave and removing the segment, while the monitor does not
  // look; the next look is due to check the name (it checks twice a second).
  parent.kill(SIGTERM);
  REQUIRE(parent.wait_for(10s).has_value());
  REQUIRE(shmtest::eventually([&] { return !shmtest::segment_exists(session); }, 10s));
  std::this_thread::sleep_for(600ms);
  CHECK(rig.link.update(rig.history));
  CHECK(rig.link.status().find("went away") != std::string::npos);
  const auto& journal = rig.history.journal();
  CHECK(std::any_of(journal.begin(), journal.end(), [](const shmipc::JournalItem& i) {
    return i.record.kind == static_cast<std::uint16_t>(shmipc::JournalKind::Leave) &&
           i.record.arg == static_cast<std::uint32_t>(shmipc::Role::Parent);
  }));
  // What was seen stays on screen until the session comes back.
  rig.link.update(rig.history);
  CHECK_FALSE(rig.link.acting().attached);
  CHECK_FALSE(rig.history.journal().empty());
}

TEST_CASE(
    "an unchanged block reports no change, so the UI can wait idle, and a message is a change") {
  shmtest::Watchdog watchdog(60s, "idle detection");
  const std::string session = shmtest::unique_session_name("link-idle");
  auto parent = start_parent(session);
  Rig rig(session);
  REQUIRE(rig.until([&] { return rig.history.latest() != nullptr; }));
  // The parent settles into its blocking wait; then the block stays as it is. One unchanged
  // pair of copies can also fall between two steps of the parent's start-up (slow under
  // ASan), so what is awaited is a quiet half second.
  auto changed = [&] { return rig.link.update(rig.history); };
  auto quiet_for = [&](std::chrono::milliseconds span) {
    const auto until = std::chrono::steady_clock::now() + span;
    while (std::chrono::steady_clock::now() < until) {
      if (changed()) return false;
      std::this_thread::sleep_for(10ms);
    }
    return true;
  };
  REQUIRE(shmtest::eventually([&] { return quiet_for(500ms); }, 20s));
  // ...and it stays quiet across the parent's one-second heartbeat slices.
  CHECK(quiet_for(1500ms));
  auto child = shmtest::ChildProcess::spawn(
      {shmtest::binary_path("shmipc"), "child", "--session", session, "--send", "wake up"});
  CHECK(shmtest::eventually(changed, 10s));
  REQUIRE(child.wait_for(20s) == std::optional<int>(0));
  parent.kill(SIGTERM);
  parent.wait_for(5s);
  shmtest::remove_segment(session);
}

TEST_CASE("joined as child, the monitor's message reaches a real shmipc parent with a receipt") {
  shmtest::Watchdog watchdog(60s, "join as child");
  const std::string session = shmtest::unique_session_name("link-child");
  auto parent = start_parent(session);
  Rig rig(session);
  REQUIRE(rig.until([&] { return rig.link.acting().attached; }));
  rig.act(ActionRequest::Kind::JoinAsChild);
  REQUIRE_MESSAGE(rig.until([&] { return rig.link.acting().role == shmipc::Role::Child; }),
                  rig.link.acting().last_error);
  CHECK(rig.until([&] { return parent.stdout_text().find("child started") != std::string::npos; }));
  ActionRequest send;
  send.kind = ActionRequest::Kind::SendMessage;
  send.bytes = "from the monitor";
  rig.act(send);
  CHECK(rig.until(
      [&] { return parent.stdout_text().find("from the monitor") != std::string::npos; }));
  CHECK(rig.until(
      [&] { return rig.link.acting().last_result.find("receipt received") != std::string::npos; }));
  rig.act(ActionRequest::Kind::Leave);
  CHECK(rig.link.acting().role == shmipc::Role::Observer);
  CHECK(rig.until([&] { return !rig.snap().participants[shmipc::kChildSlot].in_use(); }));
  parent.kill(SIGTERM);
  parent.wait_for(5s);
  shmtest::remove_segment(session);
}

TEST_CASE("joined as parent, the receive log shows what a real shmipc child sent") {
  shmtest::Watchdog watchdog(60s, "join as parent");
  const std::string session = shmtest::unique_session_name("link-parent");
  Rig rig(session);
  rig.act(ActionRequest::Kind::JoinAsParent);
  REQUIRE_MESSAGE(rig.until([&] { return rig.link.acting().role == shmipc::Role::Parent; }),
                  rig.link.acting().last_error);
  auto child = shmtest::ChildProcess::spawn(
      {shmtest::binary_path("shmipc"), "child", "--session", session, "--send", "to the monitor"});
  auto logged = [&](const std::string& text) {
    const auto log = rig.link.acting().receive_log;
    return std::any_of(log.begin(), log.end(), [&](const shmscope::ReceiveLogLine& l) {
      return l.text.find(text) != std::string::npos;
    });
  };
  CHECK(rig.until([&] { return logged("to the monitor"); }));
  CHECK(rig.until([&] { return logged("child started"); }));
  CHECK(child.wait_for(20s) == std::optional<int>(0));
  rig.act(ActionRequest::Kind::Leave);
  // The monitor was the last member: leaving removes the session.
  CHECK(rig.until([&] { return !shmtest::segment_exists(session); }));
  shmtest::remove_segment(session);
}

TEST_CASE("the monitor acting as an idle parent journals none of its own poll timeouts") {
  shmtest::Watchdog watchdog(60s, "idle parent journal");
  const std::string session = shmtest::unique_session_name("link-idle-parent");
  Rig rig(session);
  rig.act(ActionRequest::Kind::JoinAsParent);
  REQUIRE_MESSAGE(rig.until([&] { return rig.link.acting().role == shmipc::Role::Parent; }),
                  rig.link.acting().last_error);
  // Six of the window's 250 ms waits run out while nobody sends anything.
  const auto end = std::chrono::steady_clock::now() + 1500ms;
  while (std::chrono::steady_clock::now() < end) {
    rig.link.update(rig.history);
    std::this_thread::sleep_for(50ms);
  }
  const auto& journal = rig.history.journal();
  const auto timeouts = std::count_if(journal.begin(), journal.end(), [](const shmipc::JournalItem& i) {
    return i.record.kind == static_cast<std::uint16_t>(shmipc::JournalKind::EventTimeout);
  });
  CHECK(timeouts == 0);
  CHECK_FALSE(journal.empty());  // the join itself is there: the journal was read
  rig.act(ActionRequest::Kind::Leave);
  CHECK(rig.until([&] { return !shmtest::segment_exists(session); }));
  shmtest::remove_segment(session);
}

TEST_CASE("injections change the block and every one is journaled as injected") {
  shmtest::Watchdog watchdog(90s, "injections");
  const std::string session = shmtest::unique_session_name("link-inject");
  auto parent = start_parent(session);
  Rig rig(session);
  REQUIRE(rig.until([&] { return rig.history.latest() != nullptr; }));

  SUBCASE("flip childAck") {
    const bool before = rig.snap().message.child_ack;
    rig.act(ActionRequest::Kind::InjectFlipChildAck);
    CHECK(rig.until([&] { return rig.snap().message.child_ack != before; }));
    CHECK((rig.snap().message.message_flags & shmipc::kMessageFlagInjected) != 0);
    CHECK(rig.until(
        [&] { return journal_has_injection(rig.history, shmipc::InjectionKind::FlipChildAck); }));
  }
  SUBCASE("write raw bytes into data") {
    ActionRequest r;
    r.kind = ActionRequest::Kind::InjectRawData;
    r.offset = 10;
    r.bytes = "RAW!";
    rig.act(r);
    CHECK(rig.until(
        [&] { return std::memcmp(rig.snap().message.data.data() + 10, "RAW!", 4) == 0; }));
    CHECK(rig.until(
        [&] { return journal_has_injection(rig.history, shmipc::InjectionKind::WriteRawData); }));
  }
  SUBCASE("raw bytes past the end of data are refused, nothing written") {
    ActionRequest r;
    r.kind = ActionRequest::Kind::InjectRawData;
    r.offset = 998;
    r.bytes = "four";
    rig.act(r);
    CHECK(rig.link.acting().last_error.find("do not fit") != std::string::npos);
  }
  SUBCASE("set an event nobody waits for: it stays signalled") {
    ActionRequest r;
    r.kind = ActionRequest::Kind::InjectSetEvent;
    r.event = shmipc::EventId::ReceiveCommand;
    rig.act(r);
    CHECK(rig.until([&] { return rig.snap().events[4].signalled; }));
    CHECK(rig.until(
        [&] { return journal_has_injection(rig.history, shmipc::InjectionKind::SetEvent); }));
  }
  SUBCASE("hold the mutex: the owner record shows the monitor as a tool") {
    ActionRequest r;
    r.kind = ActionRequest::Kind::InjectHoldMutex;
    r.seconds = 1.0;
    rig.act(r);
    CHECK(rig.until([&] {
      return rig.snap().mutex.owner_pid == static_cast<std::uint32_t>(::getpid()) &&
             rig.snap().mutex.owner_role == shmipc::Role::Tool;
    }));
    CHECK(rig.until([&] { return !rig.snap().mutex.held(); }));
    CHECK(journal_has_injection(rig.history, shmipc::InjectionKind::HoldMutex));
  }
  parent.kill(SIGTERM);
  parent.wait_for(5s);
  shmtest::remove_segment(session);
}

TEST_CASE("the block watcher wakes the UI when a real child sends a message, not while the session is quiet") {
  shmtest::Watchdog watchdog(60s, "block watcher");
  const std::string session = shmtest::unique_session_name("link-watch");
  auto parent = start_parent(session);
  std::atomic<int> wakes{0};
  shmscope::BlockWatcher watcher([&] { ++wakes; });
  watcher.watch(session);
  // Opening the segment is one wake-up; then the parent's blocking wait appends nothing.
  REQUIRE(shmtest::eventually([&] { return wakes.load() >= 1; }, 10s));
  REQUIRE(shmtest::eventually(
      [&] {
        const int before = wakes.load();
        std::this_thread::sleep_for(500ms);
        return wakes.load() == before;
      },
      20s));
  const int quiet = wakes.load();
  auto child = shmtest::ChildProcess::spawn(
      {shmtest::binary_path("shmipc"), "child", "--session", session, "--send", "wake up"});
  CHECK(shmtest::eventually([&] { return wakes.load() > quiet; }, 10s));
  REQUIRE(child.wait_for(20s) == std::optional<int>(0));
  // Watching nothing: no more wake-ups, whatever the session does.
  watcher.watch("");
  std::this_thread::sleep_for(100ms);
  const int stopped = wakes.load();
  auto second = shmtest::ChildProcess::spawn(
      {shmtest::binary_path("shmipc"), "child", "--session", session, "--send", "unseen"});
  REQUIRE(second.wait_for(20s) == std::optional<int>(0));
  CHECK(wakes.load() == stopped);
  parent.kill(SIGTERM);
  parent.wait_for(5s);
  shmtest::remove_segment(session);
}
