#include "shmipc/journal.hpp"

#include "journal_claim.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "shmipc/clock.hpp"
#include "shmipc/process_identity.hpp"

namespace shmipc {

namespace {

constexpr std::uint64_t kCapacity = kJournalCapacity;
constexpr std::size_t kWordCount = 6;
static_assert(sizeof(JournalRecord) == kWordCount * sizeof(std::uint64_t));

// Byte offsets of the documented layout (docs/PROTOCOL.md, "Journal"), used to decode a raw
// copy without trusting anything in it.
constexpr std::size_t kRingOffset = offsetof(Block, journal);
constexpr std::size_t kNextOffset = kRingOffset + offsetof(JournalRing, next);
constexpr std::size_t kEntriesOffset = kRingOffset + offsetof(JournalRing, entries);
constexpr std::size_t kEntrySize = sizeof(JournalEntry);
constexpr std::size_t kHeadOffset = offsetof(JournalEntry, version_head);
constexpr std::size_t kWordsOffset = offsetof(JournalEntry, words);
constexpr std::size_t kTailOffset = offsetof(JournalEntry, version_tail);
static_assert(kRingOffset == 3200 && kEntriesOffset == 3264 && kEntrySize == 64);
static_assert(kHeadOffset == 0 && kWordsOffset == 8 && kTailOffset == 56);

// A record claimed but not yet written is normally finished within microseconds. A reader
// waits for it (stops there and retries from it next time) unless a record claimed after it
// is already this old: then its writer most likely died between claim and write, and the
// reader counts it lost instead of stalling behind it forever.
constexpr std::uint64_t kAbandonedAfterNs = 1'000'000'000;

enum class EntryState { Intact, Overwritten, InProgress };

// What a reader found in entry n % capacity when it wanted record n.
struct EntryCopy {
  EntryState state = EntryState::Overwritten;
  JournalRecord record{};
};

EntryState classify(std::uint64_t head, std::uint64_t tail, std::uint64_t n) {
  std::uint64_t want = n + 1;
  if (head == want && tail == want) return EntryState::Intact;
  // A version beyond ours means a later lap reused the entry. Versions below ours mean our
  // writer has not finished (or never started) writing it.
  if (head > want || tail > want) return EntryState::Overwritten;
  return EntryState::InProgress;
}

// The common reading logic over [from, next): `read_entry(n)` gives entry n's state.
template <typename ReadEntry>
JournalRead collect(std::uint64_t from, std::uint64_t next, ReadEntry read_entry) {
  JournalRead out;
  // A `from` beyond `next` means the journal was rebuilt (a reclaimed session) or the caller
  // is confused: restart at the current end rather than wait for a count that may never come.
  if (from > next) from = next;
  std::uint64_t oldest = next >= kCapacity ? next - kCapacity : 0;
  std::uint64_t start = std::max(from, oldest);
  out.lost = start - from;
  out.next = next;
  out.items.reserve(static_cast<std::size_t>(next - start));
  std::uint64_t now = monotonic_ns();
  for (std::uint64_t n = start; n < next; ++n) {
    EntryCopy copy = read_entry(n);
    if (copy.state == EntryState::Intact) {
      out.items.push_back({n, copy.record});
      continue;
    }
    if (copy.state == EntryState::InProgress) {
      bool abandoned = false;
      for (std::uint64_t later = n + 1; later < next; ++later) {
        EntryCopy after = read_entry(later);
        if (after.state == EntryState::Intact && after.record.t_ns + kAbandonedAfterNs < now) {
          abandoned = true;
          break;
        }
      }
      if (!abandoned) {
        out.next = n;  // retry from here next time
        break;
      }
    }
    ++out.lost;
  }
  return out;
}

std::atomic<bool> g_journal_enabled{true};

}  // namespace

void set_journal_enabled_for_benchmark(bool enabled) noexcept {
  g_journal_enabled.store(enabled, std::memory_order_relaxed);
}

JournalClaim journal_claim(const Actor& who, std::uint64_t t_ns, std::uint32_t count) noexcept {
  JournalClaim claim;
  if (who.block == nullptr || !g_journal_enabled.load(std::memory_order_relaxed)) return claim;
  claim.t_ns = t_ns != 0 ? t_ns : monotonic_ns();
  claim.seq = who.block->journal.next.fetch_add(count, std::memory_order_acq_rel);
  claim.valid = true;
  return claim;
}

void journal_write(const Actor& who, const JournalClaim& claim, JournalKind kind, std::uint32_t arg,
                   std::uint64_t value, std::string_view preview) noexcept {
  if (!claim.valid || who.block == nullptr) return;
  JournalRecord record{};
  record.t_ns = claim.t_ns;
  record.pid = who.pid;
  record.tid = current_tid();
  record.kind = static_cast<std::uint16_t>(kind);
  record.role = static_cast<std::uint8_t>(who.role);
  record.flags = who.injected ? kJournalFlagInjected : 0;
  record.arg = arg;
  record.value = value;
  // An empty view may have a null data(): memcpy must not see it even with size 0.
  if (!preview.empty()) {
    std::memcpy(record.preview, preview.data(), std::min(preview.size(), kPreviewBytes));
  }

  std::uint64_t words[kWordCount];
  std::memcpy(words, &record, sizeof words);

  const std::uint64_t n = claim.seq;
  JournalEntry& entry = who.block->journal.entries[n % kCapacity];
  // A writer held up between its claim and here for a whole lap (preempted on a loaded
  // machine) finds a later record in the entry. Its own is lost already (readers count
  // anything a lap behind `next` lost); writing it would put an older record over a newer
  // one, which readers would wait on as unfinished. So the tail is taken only while older.
  if (entry.version_tail.load(std::memory_order_relaxed) >= n + 1) return;
  entry.version_tail.store(n + 1, std::memory_order_relaxed);
  // The tail must be visible before any payload word changes (the seqlock's opening half).
  std::atomic_thread_fence(std::memory_order_release);
  for (std::size_t i = 0; i < kWordCount; ++i) {
    entry.words[i].store(words[i], std::memory_order_relaxed);
  }
  // A later lap that took the tail while these words were stored owns the entry now: its
  // head, not ours, says when it is whole. Ours over its would mark it unfinished; and its
  // words may be mixed with ours, so ours is dropped to 0 (unfinished) if it is already there.
  if (entry.version_tail.load(std::memory_order_acquire) == n + 1) {
    entry.version_head.store(n + 1, std::memory_order_release);
  } else {
    std::uint64_t later = entry.version_head.load(std::memory_order_relaxed);
    if (later > n + 1) entry.version_head.compare_exchange_strong(later, 0, std::memory_order_release);
  }
}

std::uint64_t journal_append(const Actor& who, JournalKind kind, std::uint32_t arg,
                             std::uint64_t value, std::string_view preview) {
  return journal_append_at(who, 0, kind, arg, value, preview);
}

std::uint64_t journal_append_at(const Actor& who, std::uint64_t t_ns, JournalKind kind,
                                std::uint32_t arg, std::uint64_t value, std::string_view preview) {
  JournalClaim claim = journal_claim(who, t_ns);
  journal_write(who, claim, kind, arg, value, preview);
  return claim.seq;
}

JournalRead journal_read(const Block& block, std::uint64_t from) {
  const JournalRing& ring = block.journal;
  std::uint64_t next = ring.next.load(std::memory_order_acquire);
  return collect(from, next, [&ring](std::uint64_t n) {
    const JournalEntry& entry = ring.entries[n % kCapacity];
    EntryCopy copy;
    std::uint64_t head = entry.version_head.load(std::memory_order_acquire);
    std::uint64_t words[kWordCount];
    for (std::size_t i = 0; i < kWordCount; ++i) {
      words[i] = entry.words[i].load(std::memory_order_relaxed);
    }
    // Payload loads must complete before the tail is read (the seqlock's closing half).
    std::atomic_thread_fence(std::memory_order_acquire);
    std::uint64_t tail = entry.version_tail.load(std::memory_order_relaxed);
    copy.state = classify(head, tail, n);
    if (copy.state == EntryState::Intact) std::memcpy(&copy.record, words, sizeof words);
    return copy;
  });
}

JournalRead journal_decode(std::span<const std::byte> raw_block, std::uint64_t from) {
  const std::size_t size = raw_block.size();
  if (size < kNextOffset + sizeof(std::uint64_t)) {
    // Not even the counter is there: nothing can be said about any record.
    JournalRead out;
    out.next = from;
    return out;
  }
  std::uint64_t next = 0;
  std::memcpy(&next, raw_block.data() + kNextOffset, sizeof next);
  return collect(from, next, [raw_block, size](std::uint64_t n) {
    EntryCopy copy;
    std::size_t base = kEntriesOffset + static_cast<std::size_t>(n % kCapacity) * kEntrySize;
    if (base > size || size - base < kEntrySize) return copy;  // cut off: counted as lost
    const std::byte* entry = raw_block.data() + base;
    std::uint64_t head = 0;
    std::uint64_t tail = 0;
    std::memcpy(&head, entry + kHeadOffset, sizeof head);
    std::memcpy(&tail, entry + kTailOffset, sizeof tail);
    // A record in progress in this copy may be finished in the next one: like journal_read,
    // stop there so the caller retries from it.
    copy.state = classify(head, tail, n);
    if (copy.state == EntryState::Intact) {
      std::memcpy(&copy.record, entry + kWordsOffset, sizeof copy.record);
    }
    return copy;
  });
}

std::string_view journal_kind_name(JournalKind kind) noexcept {
  switch (kind) {
    case JournalKind::None:
      return "None";
    case JournalKind::SessionCreated:
      return "SessionCreated";
    case JournalKind::SessionReclaimed:
      return "SessionReclaimed";
    case JournalKind::Join:
      return "Join";
    case JournalKind::Leave:
      return "Leave";
    case JournalKind::PeerDied:
      return "PeerDied";
    case JournalKind::LockRequested:
      return "LockRequested";
    case JournalKind::LockAcquired:
      return "LockAcquired";
    case JournalKind::LockReleased:
      return "LockReleased";
    case JournalKind::OwnerDied:
      return "OwnerDied";
    case JournalKind::EventSet:
      return "EventSet";
    case JournalKind::EventConsumed:
      return "EventConsumed";
    case JournalKind::EventTimeout:
      return "EventTimeout";
    case JournalKind::MessageWritten:
      return "MessageWritten";
    case JournalKind::MessageRead:
      return "MessageRead";
    case JournalKind::MessageRefused:
      return "MessageRefused";
    case JournalKind::AckWritten:
      return "AckWritten";
    case JournalKind::CommandWritten:
      return "CommandWritten";
    case JournalKind::CommandRead:
      return "CommandRead";
    case JournalKind::TornWrite:
      return "TornWrite";
    case JournalKind::ChecksumMismatch:
      return "ChecksumMismatch";
    case JournalKind::MessageOverwritten:
      return "MessageOverwritten";
    case JournalKind::StepPending:
      return "StepPending";
    case JournalKind::StepGranted:
      return "StepGranted";
    case JournalKind::Injected:
      return "Injected";
    case JournalKind::Note:
      return "Note";
    case JournalKind::MessageWithdrawn:
      return "MessageWithdrawn";
  }
  return "Unknown";
}

std::string_view event_name(EventId e) noexcept {
  switch (e) {
    case EventId::ChildAcknowledge:
      return "ChildAcknowledge";
    case EventId::SendMessage:
      return "SendMessage";
    case EventId::ReceiveMessage:
      return "ReceiveMessage";
    case EventId::SendCommand:
      return "SendCommand";
    case EventId::ReceiveCommand:
      return "ReceiveCommand";
  }
  return "Unknown";
}

std::string_view role_name(Role r) noexcept {
  switch (r) {
    case Role::None:
      return "none";
    case Role::Parent:
      return "parent";
    case Role::Child:
      return "child";
    case Role::Observer:
      return "observer";
    case Role::Tool:
      return "tool";
  }
  return "unknown";
}

std::string_view activity_name(Activity a) noexcept {
  switch (a) {
    case Activity::Idle:
      return "idle";
    case Activity::WaitingMutex:
      return "waiting for the mutex";
    case Activity::HoldingMutex:
      return "holding the mutex";
    case Activity::WaitingEvent:
      return "waiting for an event";
    case Activity::WaitingStep:
      return "waiting for a step grant";
    case Activity::SpinningEvent:
      return "spinning for an event";
    case Activity::SpinningMutex:
      return "spinning for the mutex";
  }
  return "unknown";
}

std::string_view mode_name(PeerMode m) noexcept {
  return m == PeerMode::SeedFaithful ? "seed-faithful" : "reliable";
}

std::string_view command_name(Command c) noexcept {
  switch (c) {
    case Command::None:
      return "none";
    case Command::KillApp:
      return "KILL_APP";
    case Command::Ping:
      return "PING";
  }
  return "unknown";
}

}  // namespace shmipc
