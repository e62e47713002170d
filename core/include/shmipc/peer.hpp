// The article's two programs as library objects. The child writes under the mutex and
// signals; the parent waits (blocking wait-any, or the article's 10 ms polling in
// seed-faithful mode), copies out under the mutex and answers with a receipt.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "shmipc/clock.hpp"
#include "shmipc/session.hpp"

namespace shmipc {

struct SendReceipt {
  std::uint64_t sequence = 0;
  bool receipt = false;           // ReceiveMessage arrived (reliable mode only)
  bool overwrote_unread = false;  // seed-faithful: the previous message was never read
};

class ChildPeer {
 public:
  explicit ChildPeer(Session& session);  // throws unless session.role() == Child

  // childAck = 1 (and ack_pid) under the mutex, then set ChildAcknowledge. Throws
  // Error(Timeout) if the mutex or a step grant does not come before the deadline.
  void acknowledge(Deadline deadline = kForever);
  // Throws Error(MessageTooLarge) for more than kDataCapacity bytes, before touching the block.
  // Reliable mode: waits for the previous receipt before writing, and for this one after.
  SendReceipt send_message(std::string_view bytes, Deadline receipt_deadline = kForever);
  // Posts a command and waits for ReceiveCommand until the deadline; true if received.
  bool send_command(Command c, std::uint32_t arg = 0, Deadline receipt_deadline = kForever);
  PeerMode mode() const noexcept { return mode_; }
  void set_mode(PeerMode m) noexcept;

  // After a receipt timed out: marks message `sequence` withdrawn if the parent has not read
  // it yet, so it is never delivered late. Withdrawn: the sender may report it as not
  // delivered. Read: it was delivered after all. Unknown: the mutex did not come before the
  // deadline (a stopped parent holding it): it may still be read.
  enum class Withdrawal { Withdrawn, Read, Unknown };
  Withdrawal withdraw_unread(std::uint64_t sequence, Deadline deadline);
  // The block sequence of the last message written (0 before the first): what to withdraw
  // after send_message threw PeerGone while waiting for its receipt.
  std::uint64_t last_sent_sequence() const noexcept { return last_sent_sequence_; }

 private:
  Session& session_;
  PeerMode mode_;
  bool receipt_outstanding_ = false;
  std::uint64_t last_sent_sequence_ = 0;
};

struct ChildStarted {
  std::uint32_t child_pid = 0;  // who acknowledged; 0 when an observer set childAck by hand
};
struct ReceivedMessage {
  std::uint64_t sequence = 0;
  std::string data;  // exactly data_size bytes, copied once under the mutex
  bool checksum_ok = false;
  bool torn = false;              // versions disagreed (writer died or skipped the mutex)
  bool withdrawn = false;         // its sender gave up waiting and withdrew it: not a message
  std::uint32_t bad_data_size = 0;  // a data_size over kDataCapacity (corrupt: torn, no data)
  std::uint64_t lost_before = 0;  // sequences skipped since the last one read
};
struct ReceivedCommand {
  Command command = Command::None;
  std::uint32_t arg = 0;
  std::uint64_t sequence = 0;
};
struct WaitTimedOut {};
using ParentEvent = std::variant<WaitTimedOut, ChildStarted, ReceivedMessage, ReceivedCommand>;

class ParentPeer {
 public:
  explicit ParentPeer(Session& session);  // throws unless session.role() == Parent

  // Waits for ChildAcknowledge, SendCommand or SendMessage (the article's thread), handles
  // it (copy out, receipt) and returns what happened.
  // `journal_timeout` false: the deadline is the caller's own polling (a window checking for
  // leave() every 250 ms), not a protocol event; running out is then not journaled.
  ParentEvent next(Deadline deadline = kForever, bool journal_timeout = true);
  PeerMode mode() const noexcept { return mode_; }
  void set_mode(PeerMode m) noexcept { mode_ = m; }

 private:
  Session& session_;
  PeerMode mode_;
  std::uint64_t last_sequence_ = 0;
  bool unread_at_join_ = false;  // a predecessor left a message unread: read at the first next()
};

}  // namespace shmipc
