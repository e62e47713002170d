// The article's parent and child (docs/PROTOCOL.md, section 4). Every value read from the block
// is copied once into a local and bounds-checked before it is used.
#include "shmipc/peer.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "shmipc/auto_reset_event.hpp"
#include "shmipc/error.hpp"
#include "shmipc/fault_injection.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/message_area.hpp"
#include "shmipc/robust_mutex.hpp"
#include "shmipc/snapshot.hpp"

namespace shmipc {
namespace {

using namespace std::chrono_literals;

// Long waits are cut into slices so that the heartbeat stays fresh and a vanished peer is
// noticed; each slice is still a blocking wait that any set wakes at once.
constexpr auto kHeartbeatSlice = 1s;
// While a receipt is awaited, the sender checks this often whether the receiver still lives:
// a receiver killed after taking the message (or before) is noticed within it, not a second.
constexpr auto kLivenessSlice = 100ms;
constexpr auto kSeedPollTimeout = 10ms;  // the article's WaitForSingleObject(..., 10)

Deadline next_slice(Deadline overall,
                    std::chrono::steady_clock::duration slice = kHeartbeatSlice) {
  auto slice_end = std::chrono::steady_clock::now() + slice;
  if (overall && *overall < slice_end) return overall;
  return slice_end;
}

// Journal a slice's timeout only when it is the caller's own deadline running out.
Events::TimeoutRecord timeout_record(Deadline slice, Deadline overall) {
  return slice == overall ? Events::TimeoutRecord::Journal : Events::TimeoutRecord::Silent;
}

bool passed(Deadline d) {
  return d && std::chrono::steady_clock::now() >= *d;
}

Command decode_command(std::uint32_t raw) {
  switch (raw) {
    case static_cast<std::uint32_t>(Command::KillApp):
      return Command::KillApp;
    case static_cast<std::uint32_t>(Command::Ping):
      return Command::Ping;
    default:
      return Command::None;
  }
}

// Takes the mutex or throws: a protocol step cannot go on without it.
class HeldMutex {
 public:
  HeldMutex(const Actor& who, Deadline deadline) : mutex_(who), guard_(mutex_, deadline) {
    if (!guard_.acquired()) throw Error(ErrorCode::Timeout, "timed out waiting for the mutex");
  }

 private:
  RobustMutex mutex_;
  MutexGuard guard_;
};

void gate_or_throw(const Actor& who, JournalKind kind, std::uint32_t arg, Deadline deadline) {
  if (!who.gate(kind, arg, deadline))
    throw Error(ErrorCode::Timeout, "timed out waiting for a step grant (step mode is on)");
}

}  // namespace

ChildPeer::ChildPeer(Session& session) : session_(session), mode_(PeerMode::Reliable) {
  if (session.role() != Role::Child)
    throw Error(ErrorCode::RoleTaken, "a ChildPeer needs a session joined as the child");
  // The session stored the requested mode in our slot; read it as the untrusted value it is.
  const Actor& me = session_.actor();
  if (me.slot >= 0 && static_cast<std::size_t>(me.slot) < kParticipantSlots &&
      me.block->participants[me.slot].mode.load(std::memory_order_relaxed) ==
          static_cast<std::uint32_t>(PeerMode::SeedFaithful))
    mode_ = PeerMode::SeedFaithful;
}

void ChildPeer::set_mode(PeerMode m) noexcept {
  mode_ = m;
  const Actor& me = session_.actor();
  if (me.slot >= 0 && static_cast<std::size_t>(me.slot) < kParticipantSlots)
    me.block->participants[me.slot].mode.store(static_cast<std::uint32_t>(m),
                                               std::memory_order_relaxed);
}

void ChildPeer::acknowledge(Deadline deadline) {
  const Actor& me = session_.actor();
  session_.verify_segment(/*now=*/true);
  {
    HeldMutex lock(me, deadline);
    gate_or_throw(me, JournalKind::AckWritten, 0, deadline);
    {
      VersionedWrite write(me.block->message);
      me.block->message.child_ack.store(1, std::memory_order_relaxed);
      me.block->message.ack_pid.store(me.pid, std::memory_order_relaxed);
    }
    journal_append(me, JournalKind::AckWritten, 1);
  }
  fault::at(fault::Point::AfterUnlock);
  Events(me).set(EventId::ChildAcknowledge);
}

// Waits for ReceiveMessage until the parent's message_read_sequence reaches `sequence`: a
// receipt left signalled by someone else (an older child, an injection) is not ours.
static bool wait_for_receipt(Session& session, std::uint64_t sequence, Deadline deadline) {
  const Actor& me = session.actor();
  Events events(me);
  auto read_enough = [&] {
    return me.block->message.message_read_sequence.load(std::memory_order_acquire) >= sequence;
  };
  auto parent_pid = [&] { return me.block->message.process_id.load(std::memory_order_relaxed); };
  const std::uint32_t waited_parent = parent_pid();
  while (true) {
    const Deadline slice = next_slice(deadline, kLivenessSlice);
    if (events.wait(EventId::ReceiveMessage, slice, timeout_record(slice, deadline))) {
      if (read_enough()) return true;
      continue;
    }
    session.verify_segment();
    session.heartbeat();
    // The parent that read the message sets ReceiveMessage next (perhaps after a step gate):
    // while it lives, wait for that set, or it would stay pending and wake a later wait. A
    // parent that died, or was replaced by a new one (which never signals what it did not
    // read), or never signals by the deadline leaves the read sequence as the receipt.
    const bool parent_alive = session.role_alive(Role::Parent);
    const bool same_parent = parent_alive && parent_pid() == waited_parent;
    if (read_enough() && (!same_parent || passed(deadline))) return true;
    if (passed(deadline)) return false;
    if (!parent_alive)
      throw Error(ErrorCode::PeerGone,
                  "the parent left or died before receiving message #" + std::to_string(sequence));
  }
}

SendReceipt ChildPeer::send_message(std::string_view bytes, Deadline receipt_deadline) {
  const Actor& me = session_.actor();
  session_.verify_segment();
  session_.heartbeat();
  if (bytes.size() > kDataCapacity) {
    journal_append(me, JournalKind::MessageRefused,
                   static_cast<std::uint32_t>(std::min<std::size_t>(bytes.size(), UINT32_MAX)));
    throw Error(ErrorCode::MessageTooLarge,
                "message of " + std::to_string(bytes.size()) + " bytes exceeds the limit of " +
                    std::to_string(kDataCapacity) + " bytes; nothing was written");
  }
  if (mode_ == PeerMode::Reliable && receipt_outstanding_) {
    if (!wait_for_receipt(session_, last_sent_sequence_, receipt_deadline))
      throw Error(ErrorCode::Timeout, "the parent has not yet received message #" +
                                          std::to_string(last_sent_sequence_) +
                                          "; not overwriting it");
    receipt_outstanding_ = false;
  }

  SendReceipt result;
  const auto size = static_cast<std::uint32_t>(bytes.size());
  {
    HeldMutex lock(me, receipt_deadline);
    MessageArea& area = me.block->message;
    gate_or_throw(me, JournalKind::MessageWritten, size, receipt_deadline);
    const std::uint64_t previous = area.message_sequence.load(std::memory_order_relaxed);
    const std::uint64_t read = area.message_read_sequence.load(std::memory_order_relaxed);
    if (mode_ == PeerMode::SeedFaithful && read < previous) {
      result.overwrote_unread = true;
      journal_append(me, JournalKind::MessageOverwritten, 0, previous);
    }
    // A corrupt sequence at the top of the range must not wrap to 0 ("no message yet").
    result.sequence = previous == UINT64_MAX ? 1 : previous + 1;
    {
      VersionedWrite write(area);
      // In two halves only so that a fault can be injected between them (a torn write).
      const std::uint32_t half = size / 2;
      if (half > 0) std::memcpy(area.data, bytes.data(), half);
      fault::at(fault::Point::MidWrite);
      if (size > half) std::memcpy(area.data + half, bytes.data() + half, size - half);
      area.data_size.store(size, std::memory_order_relaxed);
      area.message_sequence.store(result.sequence, std::memory_order_relaxed);
      area.checksum.store(message_checksum(result.sequence, size, bytes.data()),
                          std::memory_order_relaxed);
      area.writer_pid.store(me.pid, std::memory_order_relaxed);
      area.message_flags.store(0, std::memory_order_relaxed);
    }
    journal_append(me, JournalKind::MessageWritten, size, result.sequence, bytes);
  }
  last_sent_sequence_ = result.sequence;
  fault::at(fault::Point::AfterUnlock);
  Events(me).set(EventId::SendMessage);

  if (mode_ == PeerMode::Reliable) {
    result.receipt = wait_for_receipt(session_, result.sequence, receipt_deadline);
    receipt_outstanding_ = !result.receipt;
  }
  return result;
}

ChildPeer::Withdrawal ChildPeer::withdraw_unread(std::uint64_t sequence, Deadline deadline) {
  const Actor& me = session_.actor();
  RobustMutex mutex(me);
  MutexGuard guard(mutex, deadline);
  if (!guard.acquired()) return Withdrawal::Unknown;
  MessageArea& area = me.block->message;
  if (area.message_read_sequence.load(std::memory_order_relaxed) >= sequence) {
    receipt_outstanding_ = false;
    return Withdrawal::Read;
  }
  if (area.message_sequence.load(std::memory_order_relaxed) == sequence) {
    VersionedWrite write(area);
    area.message_flags.fetch_or(kMessageFlagWithdrawn, std::memory_order_relaxed);
  }
  journal_append(me, JournalKind::MessageWithdrawn, 0, sequence);
  receipt_outstanding_ = false;  // nothing of ours is waiting to be read any more
  return Withdrawal::Withdrawn;
}

bool ChildPeer::send_command(Command c, std::uint32_t arg, Deadline receipt_deadline) {
  const Actor& me = session_.actor();
  session_.verify_segment();
  session_.heartbeat();
  Events events(me);
  // A receipt nobody consumed (an earlier command that timed out) must not count for this one.
  events.try_consume(EventId::ReceiveCommand);
  std::uint64_t sequence = 0;
  {
    HeldMutex lock(me, receipt_deadline);
    MessageArea& area = me.block->message;
    gate_or_throw(me, JournalKind::CommandWritten, static_cast<std::uint32_t>(c), receipt_deadline);
    sequence = area.command_sequence.load(std::memory_order_relaxed) + 1;
    {
      VersionedWrite write(area);
      area.command.store(static_cast<std::uint32_t>(c), std::memory_order_relaxed);
      area.command_arg.store(arg, std::memory_order_relaxed);
      area.command_sequence.store(sequence, std::memory_order_relaxed);
    }
    journal_append(me, JournalKind::CommandWritten, static_cast<std::uint32_t>(c), sequence,
                   command_name(c));
  }
  fault::at(fault::Point::AfterUnlock);
  events.set(EventId::SendCommand);
  while (true) {
    const Deadline slice = next_slice(receipt_deadline, kLivenessSlice);
    if (events.wait(EventId::ReceiveCommand, slice, timeout_record(slice, receipt_deadline)))
      return true;
    session_.verify_segment();
    session_.heartbeat();
    if (passed(receipt_deadline)) return false;
    if (!session_.role_alive(Role::Parent)) {
      // The parent may have answered and left in the same instant.
      return events.try_consume(EventId::ReceiveCommand);
    }
  }
}

ParentPeer::ParentPeer(Session& session) : session_(session), mode_(PeerMode::Reliable) {
  if (session.role() != Role::Parent)
    throw Error(ErrorCode::RoleTaken, "a ParentPeer needs a session joined as the parent");
  // A parent taking over a live child's block continues after what was already read.
  const MessageArea& area = session_.block().message;
  last_sequence_ = area.message_read_sequence.load(std::memory_order_relaxed);
  // Looked at now, not at the first wait: a message sent after this parent joined comes with
  // its own SendMessage, after its sender's acknowledgement, and keeps that order.
  unread_at_join_ = area.message_sequence.load(std::memory_order_relaxed) > last_sequence_;
}

namespace {

// nullopt: a wake for a message already read and unchanged since (reliable mode), which is not
// delivered again.
// It happens when a new child overwrites an unread message of a killed one whose SendMessage
// was still pending: that event and the new child's own would read the new message twice.
std::optional<ReceivedMessage> read_message(const Actor& me, std::uint64_t& last_sequence,
                                            bool reliable) {
  ReceivedMessage m;
  {
    HeldMutex lock(me, kForever);
    MessageArea& area = me.block->message;
    gate_or_throw(me, JournalKind::MessageRead, 0, kForever);
    // Each shared value is read exactly once; only the locals are used afterwards.
    const std::uint64_t head = area.version_head.load(std::memory_order_acquire);
    const std::uint32_t size = area.data_size.load(std::memory_order_relaxed);
    const std::uint32_t checksum = area.checksum.load(std::memory_order_relaxed);
    const std::uint64_t sequence = area.message_sequence.load(std::memory_order_relaxed);
    const std::uint32_t flags = area.message_flags.load(std::memory_order_relaxed);
    const bool already_read =
        reliable && sequence != 0 &&
        area.message_read_sequence.load(std::memory_order_relaxed) >= sequence;
    const bool size_valid = size <= kDataCapacity;
    if (size_valid) m.data.assign(area.data, size);
    const std::uint64_t tail = area.version_tail.load(std::memory_order_acquire);

    m.sequence = sequence;
    if (!size_valid) m.bad_data_size = size;
    m.withdrawn = (flags & kMessageFlagWithdrawn) != 0;
    m.torn = head != tail || (flags & kMessageFlagRecoveredTorn) != 0 || !size_valid;
    m.checksum_ok = size_valid && message_checksum(sequence, size, m.data.data()) == checksum;
    // Unchanged since it was read: not delivered again. (Changed bytes or versions are still
    // reported: a writer that skipped the mutex is shown, never delivered as valid.)
    if (already_read && !m.torn && m.checksum_ok) return std::nullopt;
    if (size_valid && !m.checksum_ok)
      journal_append(me, JournalKind::ChecksumMismatch, size, sequence);
    if (m.torn && head != tail) journal_append(me, JournalKind::TornWrite, size, sequence);
    m.lost_before = sequence > last_sequence + 1 ? sequence - last_sequence - 1 : 0;
    last_sequence = std::max(last_sequence, sequence);
    {
      VersionedWrite write(area);
      area.message_read_sequence.store(sequence, std::memory_order_release);
    }
    journal_append(me, JournalKind::MessageRead, size_valid ? size : 0, sequence, m.data);
  }
  fault::at(fault::Point::AfterUnlock);
  Events(me).set(EventId::ReceiveMessage);
  return m;
}

ReceivedCommand read_command(const Actor& me) {
  ReceivedCommand c;
  std::uint32_t raw = 0;
  {
    HeldMutex lock(me, kForever);
    MessageArea& area = me.block->message;
    gate_or_throw(me, JournalKind::CommandRead, 0, kForever);
    raw = area.command.load(std::memory_order_relaxed);
    c.arg = area.command_arg.load(std::memory_order_relaxed);
    c.sequence = area.command_sequence.load(std::memory_order_relaxed);
    c.command = decode_command(raw);
    journal_append(me, JournalKind::CommandRead, raw, c.sequence, command_name(c.command));
  }
  fault::at(fault::Point::AfterUnlock);
  Events(me).set(EventId::ReceiveCommand);
  return c;
}

}  // namespace

ParentEvent ParentPeer::next(Deadline deadline, bool journal_timeout) {
  const Actor& me = session_.actor();
  // Busy peers never time out, so each call refreshes the heartbeat (and checks the segment).
  session_.verify_segment();
  session_.heartbeat();
  Events events(me);
  if (unread_at_join_) {
    unread_at_join_ = false;
    // A parent that died after its wait consumed SendMessage but before it read the message
    // left it unread with nobody to set the event again: its sender would wait for a receipt
    // until its deadline. The parent taking over reads it first. (If the event is still
    // pending, its wake finds the message read and waits on.)
    if (mode_ == PeerMode::Reliable) {
      if (auto m = read_message(me, last_sequence_, true)) return *m;
    }
  }
  constexpr std::array<EventId, 3> kWatched{EventId::ChildAcknowledge, EventId::SendCommand,
                                            EventId::SendMessage};
  for (;;) {
    std::optional<EventId> woke;
    if (mode_ == PeerMode::Reliable) {
      while (!woke) {
        const Deadline slice = next_slice(deadline);
        woke = events.wait_any(
            kWatched, slice,
            journal_timeout ? timeout_record(slice, deadline) : Events::TimeoutRecord::Silent);
        if (woke) break;
        session_.verify_segment();
        session_.heartbeat();
        if (passed(deadline)) return WaitTimedOut{};
      }
    } else {
      // The article's thread: WaitForSingleObject(event, 10) on each event in turn.
      while (!woke) {
        for (EventId e : kWatched) {
          if (events.wait(e, deadline_after(kSeedPollTimeout))) {
            woke = e;
            break;
          }
        }
        if (woke) break;
        session_.verify_segment();
        session_.heartbeat();
        if (passed(deadline)) return WaitTimedOut{};
      }
    }

    switch (*woke) {
      case EventId::ChildAcknowledge: {
        // The pid travels with the acknowledgement: the child slot may already be empty again.
        ChildStarted started;
        started.child_pid = me.block->message.ack_pid.load(std::memory_order_acquire);
        return started;
      }
      case EventId::SendCommand:
        return read_command(me);
      default:
        if (auto m = read_message(me, last_sequence_, mode_ == PeerMode::Reliable)) return *m;
        if (passed(deadline)) return WaitTimedOut{};
        break;  // already read: wait again
    }
  }
}

}  // namespace shmipc
