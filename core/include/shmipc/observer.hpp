// A passive observer (the monitor, `shmipc watch`, `shmipc status`). It opens the segment
// read-only and copies it with pread(), not through a mapping: a peer that shrinks the segment
// then gives a short read reported as a problem, where a mapping would die of SIGBUS.
// It never takes the mutex and never writes, so watching does not disturb the protocol.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "shmipc/journal.hpp"
#include "shmipc/snapshot.hpp"

namespace shmipc {

class Observer {
 public:
  // Throws Error: InvalidName, NotFound, Untrusted.
  static std::unique_ptr<Observer> open(const std::string& session_name);
  ~Observer();

  // Copies until the message area is consistent (bounded retries); fills liveness.
  Snapshot snapshot();

  // Journal records [from, next) from the last snapshot's copy.
  JournalRead journal_since(const Snapshot& snap, std::uint64_t from) const;

  bool role_alive(Role role) const;  // kernel lock probe on the segment
  bool still_linked() const;         // the name still names the segment we have open
  // What another process did to the segment since it was opened: resized it, or replaced its
  // name with a different object (never followed). A removed name is not reported here
  // (still_linked() says it: the normal end of a session).
  std::optional<std::string> tampering() const;
  const std::string& name() const noexcept;

  struct Impl;

 private:
  explicit Observer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace shmipc
