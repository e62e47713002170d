// The passive observer: read-only descriptor, pread copies, kernel lock probes. It takes no
// lock of any kind, so neither the peers nor the last member's unlink ever wait for it.
#include "shmipc/observer.hpp"

#include <sched.h>

#include <algorithm>
#include <cstring>

#include "ofd_lock.hpp"
#include "segment.hpp"
#include "shmipc/clock.hpp"
#include "shmipc/error.hpp"
#include "shmipc/process_identity.hpp"
#include "shmipc/session_name.hpp"
#include "stale_waiters.hpp"

namespace shmipc {

using detail::LockByte;
using detail::LockKind;

struct Observer::Impl {
  std::string name;
  detail::Segment segment;
};

namespace {

// A writer holds the mutex for microseconds; 64 tries with a yield between them outlast any
// healthy write, and a torn area (its writer died) is reported rather than waited for.
constexpr int kMaxAttempts = 64;
constexpr std::size_t kHeadAt = offsetof(Block, message) + offsetof(MessageArea, version_head);
constexpr std::size_t kTailAt = offsetof(Block, message) + offsetof(MessageArea, version_tail);

std::uint64_t read_u64(const detail::Segment& seg, std::size_t offset, bool& ok) {
  std::uint64_t v = 0;
  if (seg.read_at(&v, sizeof v, offset) != sizeof v) ok = false;
  return v;
}

std::uint64_t copied_u64(const std::vector<std::byte>& raw, std::size_t offset) {
  std::uint64_t v = 0;
  if (offset + sizeof v <= raw.size()) std::memcpy(&v, raw.data() + offset, sizeof v);
  return v;
}

// The ring is most of the block. A reader preempted while copying it (a loaded machine, a
// sanitizer) can see writers lap it: entries newer than the copied `next` by more than a lap,
// which the decoder rightly calls corrupt in a block at rest. So `next` is read again after
// the copy, and while more than a lap was claimed since, the ring (with `next`, its first
// word) is copied again: every entry copied was claimed before that read, so none is then more
// than a lap ahead of the copied `next`.
constexpr int kMaxJournalCopies = 8;  // of the ring, the block's first copy included
constexpr std::size_t kJournalAt = offsetof(Block, journal);
constexpr std::size_t kJournalNextAt = kJournalAt + offsetof(JournalRing, next);

void copy_journal_within_a_lap(const detail::Segment& seg, std::vector<std::byte>& raw) {
  for (int copy = 1; copy < kMaxJournalCopies && raw.size() == sizeof(Block); ++copy) {
    bool whole = true;
    const std::uint64_t copied = copied_u64(raw, kJournalNextAt);
    const std::uint64_t now = read_u64(seg, kJournalNextAt, whole);
    // Behind the copy is no writer's doing (`next` only grows): garbage, shown as it was.
    if (!whole || now < copied || now - copied <= kJournalCapacity) return;
    const std::size_t ring = sizeof(Block) - kJournalAt;
    if (seg.read_at(raw.data() + kJournalAt, ring, kJournalAt) != ring) {
      raw.resize(seg.read_at(raw.data(), raw.size(), 0));  // shrunk meanwhile: as truncated
      return;
    }
  }
}

// A waiter killed in its wait leaves its slot, and one killed inside RobustMutex::lock its
// count, until a joiner clears them: shown as stale, never as live waiters.
void discount_the_dead(Snapshot& s) {
  for (SnapshotWaiter& w : s.waiters) {
    if (!w.in_use()) continue;
    // The tid decides (it is written first); pid and start time, once both are written, catch
    // a tid reused by an unrelated thread.
    w.alive = detail::waiter_thread_alive(w.owner_tid) &&
              (w.owner_pid == 0 || w.owner_start_time == 0 ||
               is_alive({w.owner_pid, w.owner_start_time}));
    if (w.alive) continue;
    for (std::size_t i = 0; i < kEventCount; ++i)
      if ((w.wait_mask & (1u << i)) != 0) ++s.events[i].stale_waiters;
  }
  std::uint32_t dead_in_lock = 0;
  for (const SnapshotParticipant& p : s.participants)
    if (p.in_use() && !p.alive && detail::in_mutex_wait(static_cast<std::uint32_t>(p.activity)))
      ++dead_in_lock;
  s.mutex.stale_waiters = std::min(dead_in_lock, s.mutex.waiters);
}

// Versions that still disagree after every retry are no write in flight. A writer that died
// mid-write leaves version_tail one ahead (its generation); any other difference is garbage
// written by something that is not a writer, named by the word that cannot be right: a head
// can never lead the tail.
void report_stuck_versions(Snapshot& s) {
  const std::uint64_t head = s.message.version_head;
  const std::uint64_t tail = s.message.version_tail;
  if (head == tail) return;
  const std::string pair =
      "version_head " + std::to_string(head) + ", version_tail " + std::to_string(tail);
  if (tail - head == 1) {
    s.problems.push_back({"message.version_tail",
                          pair + " after " + std::to_string(kMaxAttempts) +
                              " copies: a write that never finished (its writer died or is stopped)",
                          kTailAt, 8});
  } else if (head > tail) {
    s.problems.push_back({"message.version_head",
                          pair + ": the head is ahead of the tail, which no writer does (corrupt)",
                          kHeadAt, 8});
  } else {
    s.problems.push_back({"message.version_tail",
                          pair + ": the tail is more than one write ahead of the head (corrupt)",
                          kTailAt, 8});
  }
}

}  // namespace

Observer::Observer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Observer::~Observer() = default;

std::unique_ptr<Observer> Observer::open(const std::string& session_name) {
  validate_session_name(session_name);
  auto seg = detail::Segment::open_existing(session_name, detail::SegmentAccess::ReadOnly);
  if (!seg) {
    throw Error(ErrorCode::NotFound, "no session \"" + session_name + "\" (/dev/shm/shmscope." +
                                         session_name + " does not exist)");
  }
  // Owner, mode and size are checked here; a bad magic or field is not refused but shown,
  // field by field, in every snapshot.
  if (auto problem = seg->trust_problem(/*allow_empty=*/false)) {
    throw Error(ErrorCode::Untrusted, *problem);
  }
  return std::unique_ptr<Observer>(
      new Observer(std::make_unique<Impl>(Impl{session_name, std::move(*seg)})));
}

Snapshot Observer::snapshot() {
  const detail::Segment& seg = impl_->segment;
  std::vector<std::byte> raw(sizeof(Block));
  std::uint64_t taken = 0;
  int attempt = 0;
  bool consistent = false;
  // The whole block once, then only the message area again until its versions agree: it is
  // the one region with a consistency rule, and a 1 KiB copy rarely overlaps a write.
  constexpr std::size_t kAreaAt = offsetof(Block, message);
  constexpr std::size_t kAreaSize = sizeof(MessageArea);
  while (attempt < kMaxAttempts) {
    ++attempt;
    if (attempt > 1) ::sched_yield();
    // The versions are read by their own preads before and after the copy: the kernel
    // copies with string instructions whose loads need not run in address order, while loads
    // of separate instructions do (x86-64). Head before, tail after, both equal to the
    // copy's: the copy holds exactly one complete write.
    bool whole = true;
    std::uint64_t head_before = read_u64(seg, kHeadAt, whole);
    if (attempt == 1) {
      taken = monotonic_ns();
      std::size_t got = seg.read_at(raw.data(), raw.size(), 0);
      if (got < sizeof(Block)) {
        raw.resize(got);  // truncated by somebody: no retry makes it whole
        break;
      }
    } else if (seg.read_at(raw.data() + kAreaAt, kAreaSize, kAreaAt) != kAreaSize) {
      whole = false;
    }
    std::uint64_t tail_after = read_u64(seg, kTailAt, whole);
    if (!whole) {
      // Shrunk between two copies: keep what the first copy saw, reported as truncated.
      raw.resize(seg.read_at(raw.data(), raw.size(), 0));
      break;
    }
    consistent = head_before == tail_after && copied_u64(raw, kHeadAt) == head_before &&
                 copied_u64(raw, kTailAt) == head_before;
    if (consistent) break;
  }
  copy_journal_within_a_lap(seg, raw);
  Snapshot s = decode_snapshot(std::move(raw));
  s.taken_ns = taken;
  s.attempts = attempt;
  // The copy alone may look consistent while the versions around it moved: trust the check.
  if (!consistent) s.message.consistent = false;
  if (!consistent && attempt >= kMaxAttempts) report_stuck_versions(s);

  for (std::size_t i = 0; i < kParticipantSlots; ++i) {
    SnapshotParticipant& p = s.participants[i];
    if (!p.in_use()) continue;
    if (i == kParentSlot || i == kChildSlot) {
      p.alive = detail::ofd_conflict_exists(
          seg.fd(), i == kParentSlot ? LockByte::Parent : LockByte::Child, LockKind::Write);
    } else {
      p.alive = is_alive({p.pid, p.start_time});
    }
  }
  discount_the_dead(s);
  return s;
}

JournalRead Observer::journal_since(const Snapshot& snap, std::uint64_t from) const {
  return journal_decode(snap.raw, from);
}

bool Observer::role_alive(Role role) const {
  const detail::Segment& seg = impl_->segment;
  switch (role) {
    case Role::Parent:
      return detail::ofd_conflict_exists(seg.fd(), LockByte::Parent, LockKind::Write);
    case Role::Child:
      return detail::ofd_conflict_exists(seg.fd(), LockByte::Child, LockKind::Write);
    case Role::Observer:
    case Role::Tool: {
      for (std::size_t i = 2; i < kParticipantSlots; ++i) {
        const std::size_t o = offsetof(Block, participants) + i * sizeof(ParticipantSlot);
        std::uint32_t slot_role = 0, pid = 0;
        std::uint64_t start = 0;
        if (seg.read_at(&slot_role, 4, o + offsetof(ParticipantSlot, role)) != 4 ||
            seg.read_at(&pid, 4, o + offsetof(ParticipantSlot, pid)) != 4 ||
            seg.read_at(&start, 8, o + offsetof(ParticipantSlot, start_time)) != 8) {
          return false;
        }
        if (slot_role == static_cast<std::uint32_t>(role) && is_alive({pid, start})) return true;
      }
      return false;
    }
    case Role::None:
      break;
  }
  return false;
}

bool Observer::still_linked() const {
  return impl_->segment.name_still_names_this();
}

std::optional<std::string> Observer::tampering() const {
  return impl_->segment.tampering(/*removal_counts=*/false);
}

const std::string& Observer::name() const noexcept {
  return impl_->name;
}

}  // namespace shmipc
