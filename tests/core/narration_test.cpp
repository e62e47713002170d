// Narration: every protocol action has a sentence in words, saying what and why.
#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "shmipc/narration.hpp"
#include "shmipc/step_controller.hpp"

using namespace shmipc;

TEST_CASE("every journal kind has a sentence for a pending and for a past action") {
  for (std::uint16_t k = 0; k <= static_cast<std::uint16_t>(JournalKind::Note); ++k) {
    for (Role role : {Role::Parent, Role::Child, Role::Tool}) {
      NarrationFacts f{static_cast<JournalKind>(k), role, 1, 1, "hi"};
      const std::string pending = narrate_pending(f);
      const std::string past = narrate_record(f);
      CAPTURE(k);
      CHECK(pending.size() > 10);
      CHECK(past.size() > 10);
      CHECK(pending.back() == '.');
      CHECK(past.back() == '.');
      CHECK(pending[0] >= 'A');
      CHECK(pending[0] <= 'Z');
      CHECK(pending != past);
    }
  }
}

TEST_CASE("a child about to lock is told as locking so as not to be read half-written") {
  NarrationFacts f{JournalKind::LockRequested, Role::Child, 0, 0, {}};
  CHECK(narrate_pending(f) ==
        "The child is about to lock the mutex so that it can write into the block without the "
        "parent reading half of it.");
}

TEST_CASE("releasing the mutex and signalling say who can go on next") {
  CHECK(narrate_record(NarrationFacts{JournalKind::LockReleased, Role::Child, 0, 0, {}}) ==
        "The child released the mutex so that the parent can read what it wrote.");
  CHECK(narrate_record(NarrationFacts{JournalKind::EventSet, Role::Child, 1, 0, {}}) ==
        "The child signalled SendMessage so that the parent wakes up and reads the message.");
  CHECK(narrate_record(NarrationFacts{JournalKind::EventSet, Role::Child, 1, 1, {}})
            .find("which was already set and nobody had consumed it") != std::string::npos);
}

TEST_CASE("a journal record is narrated with its message preview, unprintable bytes hidden") {
  JournalRecord r{};
  r.kind = static_cast<std::uint16_t>(JournalKind::MessageWritten);
  r.role = static_cast<std::uint8_t>(Role::Child);
  r.arg = 5;
  r.value = 3;
  std::memcpy(r.preview, "he\x01lo", 5);
  const std::string s = narrate_record(r);
  CHECK(s.find("message 3 \"he.lo\" (5 bytes)") != std::string::npos);
}

TEST_CASE("values out of range are narrated without being trusted") {
  CHECK(narrate_record(NarrationFacts{JournalKind::EventSet, Role::Parent, 77, 0, {}})
            .find("unknown event (77)") != std::string::npos);
  CHECK(narrate_record(NarrationFacts{static_cast<JournalKind>(999), Role::None, 0, 0, {}})
            .find("unknown action (kind 999)") != std::string::npos);
  CHECK(narrate_record(NarrationFacts{JournalKind::CommandWritten, Role::Child, 42, 0, {}})
            .find("unknown command (42)") != std::string::npos);
}

TEST_CASE("a pending action from the step driver is narrated in the future") {
  PendingAction a;
  a.role = Role::Parent;
  a.kind = JournalKind::MessageRead;
  CHECK(narrate_pending(a).rfind("The parent is about to copy the message out", 0) == 0);
}
