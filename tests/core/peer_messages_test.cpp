// The article's parent and child as library objects, across real processes and real shared
// memory: reliable delivery, refusal of oversize messages, commands, and the seed's lost
// message in seed-faithful mode.
#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <variant>
#include <vector>

#include "shmipc/auto_reset_event.hpp"
#include "shmipc/error.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/peer.hpp"
#include "shmipc/session.hpp"
#include "cli_helpers.hpp"
#include "numbered_message.hpp"
#include "test_process.hpp"

using namespace std::chrono_literals;

namespace {

using shmtest::numbered_message;

using Cleanup = shmtest::SegmentCleanup;

std::unique_ptr<shmipc::Session> join(const std::string& name, shmipc::RoleRequest role,
                                      shmipc::PeerMode mode = shmipc::PeerMode::Reliable) {
  shmipc::SessionOptions o;
  o.name = name;
  o.role = role;
  o.mode = mode;
  return shmipc::Session::join(o);
}

std::vector<shmipc::JournalItem> journal_of(shmipc::Session& s, shmipc::JournalKind kind) {
  std::vector<shmipc::JournalItem> found;
  for (const auto& item : shmipc::journal_read(s.block(), 0).items)
    if (item.record.kind == static_cast<std::uint16_t>(kind)) found.push_back(item);
  return found;
}

}  // namespace

TEST_CASE("10,000 messages from a child process arrive in order, none lost, doubled or torn") {
  shmtest::Watchdog watchdog(120s, "10,000 reliable messages");
  const std::string name = shmtest::unique_session_name("peer-10k");
  Cleanup cleanup{name};
  constexpr std::uint32_t kCount = 10000;
  auto parent_session = join(name, shmipc::RoleRequest::Parent);
  shmipc::ParentPeer parent(*parent_session);

  auto sender = shmtest::ChildProcess::fork([&] {
    auto s = join(name, shmipc::RoleRequest::Child);
    shmipc::ChildPeer child(*s);
    child.acknowledge();
    for (std::uint32_t i = 0; i < kCount; ++i) {
      const auto r = child.send_message(numbered_message(i));
      if (!r.receipt || r.sequence != i + 1 || r.overwrote_unread) return 10;
    }
    if (!child.send_command(shmipc::Command::KillApp)) return 11;
    s->leave();
    return 0;
  });

  std::uint32_t expected = 0;
  bool started = false, killed = false;
  std::uint64_t bad_checksum = 0, torn = 0, lost = 0, mismatched = 0;
  while (!killed) {
    auto event = parent.next(shmipc::deadline_after(30s));
    REQUIRE_FALSE(std::holds_alternative<shmipc::WaitTimedOut>(event));
    if (std::holds_alternative<shmipc::ChildStarted>(event)) {
      CHECK(std::get<shmipc::ChildStarted>(event).child_pid ==
            static_cast<std::uint32_t>(sender.pid()));
      started = true;
    } else if (auto* m = std::get_if<shmipc::ReceivedMessage>(&event)) {
      if (!m->checksum_ok) ++bad_checksum;
      if (m->torn) ++torn;
      lost += m->lost_before;
      if (m->sequence != expected + 1 || m->data != numbered_message(expected)) ++mismatched;
      ++expected;
    } else if (auto* c = std::get_if<shmipc::ReceivedCommand>(&event)) {
      CHECK(c->command == shmipc::Command::KillApp);
      killed = true;
    }
  }
  CHECK(started);
  CHECK(expected == kCount);
  CHECK(bad_checksum == 0);
  CHECK(torn == 0);
  CHECK(lost == 0);
  CHECK(mismatched == 0);
  CHECK(sender.wait_for(10s) == 0);
  parent_session->leave();
  CHECK_FALSE(shmtest::segment_exists(name));
}

TEST_CASE(
    "a message over 1000 bytes is refused with its size and the limit, leaving the block "
    "unchanged") {
  shmtest::Watchdog watchdog(30s, "oversize message");
  const std::string name = shmtest::unique_session_name("peer-oversize");
  Cleanup cleanup{name};
  auto parent_session = join(name, shmipc::RoleRequest::Parent);
  auto child_session = join(name, shmipc::RoleRequest::Child);
  shmipc::ChildPeer child(*child_session);

  std::vector<char> before(sizeof(shmipc::MessageArea));
  std::memcpy(before.data(), &child_session->block().message, before.size());
  std::string what;
  shmipc::ErrorCode code{};
  try {
    child.send_message(std::string(1001, 'x'));
  } catch (const shmipc::Error& e) {
    what = e.what();
    code = e.code();
  }
  CHECK(code == shmipc::ErrorCode::MessageTooLarge);
  CHECK(what.find("1001") != std::string::npos);
  CHECK(what.find("1000") != std::string::npos);
  CHECK(std::memcmp(before.data(), &child_session->block().message, before.size()) == 0);
  const auto refused = journal_of(*child_session, shmipc::JournalKind::MessageRefused);
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].record.arg == 1001);
  CHECK(journal_of(*child_session, shmipc::JournalKind::MessageWritten).empty());

  // Exactly the capacity still goes through.
  const auto r = child.send_message(std::string(1000, 'y'), shmipc::deadline_after(100ms));
  CHECK(r.sequence == 1);
  CHECK(child_session->block().message.data_size.load() == 1000);
}

TEST_CASE("PING and KILL_APP from a child process reach the parent, each with its receipt") {
  shmtest::Watchdog watchdog(30s, "commands");
  const std::string name = shmtest::unique_session_name("peer-commands");
  Cleanup cleanup{name};
  auto parent_session = join(name, shmipc::RoleRequest::Parent);
  shmipc::ParentPeer parent(*parent_session);
  auto sender = shmtest::ChildProcess::fork([&] {
    auto s = join(name, shmipc::RoleRequest::Child);
    shmipc::ChildPeer child(*s);
    if (!child.send_command(shmipc::Command::Ping, 7)) return 10;
    if (!child.send_command(shmipc::Command::KillApp)) return 11;
    return 0;
  });
  std::vector<shmipc::ReceivedCommand> commands;
  while (commands.size() < 2) {
    auto event = parent.next(shmipc::deadline_after(10s));
    REQUIRE_FALSE(std::holds_alternative<shmipc::WaitTimedOut>(event));
    if (auto* c = std::get_if<shmipc::ReceivedCommand>(&event)) commands.push_back(*c);
  }
  CHECK(commands[0].command == shmipc::Command::Ping);
  CHECK(commands[0].arg == 7);
  CHECK(commands[0].sequence == 1);
  CHECK(commands[1].command == shmipc::Command::KillApp);
  CHECK(commands[1].sequence == 2);
  CHECK(sender.wait_for(10s) == 0);
  CHECK(journal_of(*parent_session, shmipc::JournalKind::CommandRead).size() == 2);
}

TEST_CASE(
    "in seed-faithful mode a second send before the parent reads overwrites the first, "
    "and the journal says so") {
  shmtest::Watchdog watchdog(30s, "seed-faithful overwrite");
  const std::string name = shmtest::unique_session_name("peer-seed");
  Cleanup cleanup{name};
  auto parent_session = join(name, shmipc::RoleRequest::Parent, shmipc::PeerMode::SeedFaithful);
  auto child_session = join(name, shmipc::RoleRequest::Child, shmipc::PeerMode::SeedFaithful);
  shmipc::ParentPeer parent(*parent_session);
  parent.set_mode(shmipc::PeerMode::SeedFaithful);
  shmipc::ChildPeer child(*child_session);
  child.set_mode(shmipc::PeerMode::SeedFaithful);

  const auto first = child.send_message("first");
  CHECK_FALSE(first.overwrote_unread);
  CHECK_FALSE(first.receipt);
  const auto second = child.send_message("second");
  CHECK(second.overwrote_unread);

  const auto overwritten = journal_of(*child_session, shmipc::JournalKind::MessageOverwritten);
  REQUIRE(overwritten.size() == 1);
  CHECK(overwritten[0].record.value == first.sequence);

  auto event = parent.next(shmipc::deadline_after(5s));
  auto* m = std::get_if<shmipc::ReceivedMessage>(&event);
  REQUIRE(m != nullptr);
  CHECK(m->data == "second");
  CHECK(m->sequence == second.sequence);
  CHECK(m->lost_before == 1);
  CHECK(m->checksum_ok);
  // Both sets coalesced into one: nothing else is waiting for the parent.
  auto again = parent.next(shmipc::deadline_after(50ms));
  CHECK(std::holds_alternative<shmipc::WaitTimedOut>(again));
}

TEST_CASE("a child waiting for its receipt learns that the parent died instead of hanging") {
  shmtest::Watchdog watchdog(30s, "parent dies before the receipt");
  const std::string name = shmtest::unique_session_name("peer-parent-dies");
  Cleanup cleanup{name};
  auto parent = shmtest::ChildProcess::fork([&] {
    auto s = join(name, shmipc::RoleRequest::Parent);
    // Wakes on the message, then dies without reading it or answering.
    shmipc::Events(s->actor()).wait(shmipc::EventId::SendMessage, shmipc::deadline_after(20s));
    ::_exit(0);
    return 1;
  });
  std::unique_ptr<shmipc::Session> child_session;
  REQUIRE(shmtest::eventually(
      [&] {
        try {
          child_session = join(name, shmipc::RoleRequest::Child);
          return true;
        } catch (const shmipc::Error& e) {
          return e.code() == shmipc::ErrorCode::NotFound ? false : throw;
        }
      },
      10s));
  shmipc::ChildPeer child(*child_session);
  shmipc::ErrorCode code{};
  try {
    child.send_message("nobody will read this");
  } catch (const shmipc::Error& e) {
    code = e.code();
  }
  CHECK(code == shmipc::ErrorCode::PeerGone);
  CHECK(parent.wait_for(10s) == 0);
}

TEST_CASE(
    "the parent reports a message changed behind the mutex's back as a checksum mismatch, "
    "and a half-finished write as torn") {
  shmtest::Watchdog watchdog(30s, "tampered message");
  const std::string name = shmtest::unique_session_name("peer-tamper");
  Cleanup cleanup{name};
  auto parent_session = join(name, shmipc::RoleRequest::Parent);
  auto child_session = join(name, shmipc::RoleRequest::Child);
  shmipc::ParentPeer parent(*parent_session);
  shmipc::ChildPeer child(*child_session);
  child.set_mode(shmipc::PeerMode::SeedFaithful);  // no receipt wait: one process plays both
  child.send_message("hello");
  auto first = parent.next(shmipc::deadline_after(5s));
  REQUIRE(std::holds_alternative<shmipc::ReceivedMessage>(first));
  CHECK(std::get<shmipc::ReceivedMessage>(first).checksum_ok);

  // A writer that skips the mutex: the bytes change, the versions and the checksum do not.
  shmipc::MessageArea& area = child_session->block().message;
  area.data[0] = 'J';
  shmipc::Events(child_session->actor()).set(shmipc::EventId::SendMessage);
  auto tampered = parent.next(shmipc::deadline_after(5s));
  auto* m = std::get_if<shmipc::ReceivedMessage>(&tampered);
  REQUIRE(m != nullptr);
  CHECK(m->data == "Jello");
  CHECK_FALSE(m->checksum_ok);
  CHECK_FALSE(m->torn);
  CHECK(journal_of(*parent_session, shmipc::JournalKind::ChecksumMismatch).size() == 1);

  // A write that started (tail moved) and never finished (head did not).
  area.version_tail.fetch_add(1);
  shmipc::Events(child_session->actor()).set(shmipc::EventId::SendMessage);
  auto torn = parent.next(shmipc::deadline_after(5s));
  m = std::get_if<shmipc::ReceivedMessage>(&torn);
  REQUIRE(m != nullptr);
  CHECK(m->torn);
  CHECK(journal_of(*parent_session, shmipc::JournalKind::TornWrite).size() == 1);
}
