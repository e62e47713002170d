// The recorder. Each poll reads the journal's new ring entries (JournalTail: a few KiB by
// pread, decoded by shmipc::journal_decode) and records them, lost ones as gaps. The fixed
// areas (message area, mutex, events, participants...) come from an Observer snapshot (a
// pread copy, never a mapping, never the mutex), taken when the journal shows activity (at
// most every `snapshot_every`), at least every `idle_snapshot_every`, and for the periodic
// full copy; their changed 64-byte lines are recorded.
#include "shmrecord/recorder.hpp"

#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include "journal_tail.hpp"
#include "shmipc/block.hpp"
#include "shmipc/clock.hpp"
#include "shmipc/error.hpp"
#include "shmipc/observer.hpp"

namespace shmrecord {

namespace {

// Header, message area, mutex, events, waiters, participants, control: everything before the
// journal ring, whose records are recorded one by one instead.
constexpr std::size_t kFixedBytes = offsetof(shmipc::Block, journal);
constexpr std::size_t kLine = 64;
// Checking that the name still names our segment costs a stat; once in a while is enough.
constexpr std::uint64_t kLinkCheckEveryNs = 20'000'000;
// Sleep at most this fraction of the time the ring takes to fill at the current rate.
constexpr double kFillFraction = 32;

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

std::uint64_t ns(std::chrono::nanoseconds d) { return static_cast<std::uint64_t>(d.count()); }

}  // namespace

struct Recorder::Impl {
  std::unique_ptr<shmipc::Observer> observer;
  std::unique_ptr<detail::JournalTail> tail;
  std::unique_ptr<Writer> writer;
  RecorderOptions options;
  RecorderStats stats;
  std::vector<std::byte> prev;  // the fixed areas as last recorded
  std::uint64_t from = 0;       // next journal sequence to record
  std::uint32_t epoch = 0;
  std::uint64_t last_full = 0;
  std::uint64_t last_snapshot = 0;
  bool snapshot_due = false;  // the journal moved since the last snapshot
  std::uint64_t last_flush = 0;
  std::uint64_t last_link_check = 0;
  std::uint64_t last_poll_t = 0;
  std::uint64_t records_last_poll = 0;
  bool gone = false;
  bool finished = false;

  void take_journal(const shmipc::JournalRead& read, std::uint64_t t) {
    std::uint64_t expected = from;
    // Records and gaps go to the writer in sequence order: each run of records, then the gap
    // after it.
    const std::span<const shmipc::JournalItem> items(read.items);
    std::size_t run = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (items[i].seq > expected) {
        writer->journal(items.subspan(run, i - run));
        writer->gap(t, expected, items[i].seq - expected);
        run = i;
      }
      expected = items[i].seq + 1;
    }
    writer->journal(items.subspan(run));
    if (read.next > expected) writer->gap(t, expected, read.next - expected);
    if (read.next > from) {
      records_last_poll += read.next - from;
      snapshot_due = true;
    }
    from = std::max(from, read.next);
  }

  void take_changes(const shmipc::Snapshot& snap) {
    const std::byte* now = snap.raw.data();
    std::size_t i = 0;
    while (i < kFixedBytes) {
      if (std::memcmp(now + i, prev.data() + i, std::min(kLine, kFixedBytes - i)) == 0) {
        i += kLine;
        continue;
      }
      std::size_t end = i + kLine;
      while (end < kFixedBytes &&
             std::memcmp(now + end, prev.data() + end, std::min(kLine, kFixedBytes - end)) != 0)
        end += kLine;
      end = std::min(end, kFixedBytes);
      writer->block_change(snap.taken_ns, static_cast<std::uint32_t>(i),
                           std::span<const std::byte>(now + i, end - i));
      std::memcpy(prev.data() + i, now + i, end - i);
      i = end;
    }
  }

  void full_copy(const shmipc::Snapshot& snap) {
    writer->full_block(snap.taken_ns, snap.raw);
    std::memcpy(prev.data(), snap.raw.data(), kFixedBytes);
    last_full = snap.taken_ns;
  }

  // False when the block is no longer the session's (cut short, reclaimed).
  bool take_snapshot() {
    shmipc::Snapshot snap = observer->snapshot();
    last_snapshot = snap.taken_ns;
    snapshot_due = false;
    if (snap.raw.size() != sizeof(shmipc::Block)) return false;
    // A reclaimed block restarts its journal at 0: it is another session's history.
    if (snap.header.session_epoch != epoch || snap.journal_next < from) return false;
    if (snap.taken_ns - last_full >= ns(options.full_copy_every)) full_copy(snap);
    else take_changes(snap);
    return true;
  }

  // False when the block is no longer the session's (removed, replaced, cut short).
  bool poll_once(bool force_snapshot) {
    stats.polls += 1;
    const std::uint64_t t = shmipc::monotonic_ns();
    // The removal is looked for before the journal is read: the last one out writes its Leave
    // and then removes the segment, so a read after the removal was seen has the session's
    // last records (our descriptor still reads the removed segment).
    bool linked = true;
    if (force_snapshot || t - last_link_check >= kLinkCheckEveryNs) {
      last_link_check = t;
      linked = observer->still_linked();
    }
    const auto read = tail->read(from);
    if (!read || read->next < from) return false;
    take_journal(*read, t);
    const bool snap = force_snapshot || t - last_full >= ns(options.full_copy_every) ||
                      (snapshot_due && t - last_snapshot >= ns(options.snapshot_every)) ||
                      t - last_snapshot >= ns(options.idle_snapshot_every);
    if (snap && !take_snapshot()) return false;
    if (t - last_flush >= ns(options.flush_every)) {
      writer->flush();
      last_flush = t;
    }
    update_stats();
    return linked;
  }

  // A fraction of the time the ring takes to fill at the rate of the last poll interval. A
  // poll that found nothing doubles the last pause instead (up to max_sleep): a session sending
  // in bursts is quiet between two of them, and a jump to the idle pause would let the next
  // burst wrap the ring.
  std::chrono::nanoseconds last_pause{0};
  std::chrono::nanoseconds pause() {
    const std::uint64_t now = shmipc::monotonic_ns();
    const std::uint64_t elapsed = now > last_poll_t ? now - last_poll_t : 1;
    last_poll_t = now;
    const std::uint64_t records = records_last_poll;
    records_last_poll = 0;
    const auto lo = std::chrono::nanoseconds(options.min_sleep);
    const auto hi = std::chrono::nanoseconds(options.max_sleep);
    if (records == 0) {
      last_pause = std::clamp(last_pause * 2, lo, hi);
    } else {
      const double fill_ns = static_cast<double>(shmipc::kJournalCapacity) *
                             static_cast<double>(elapsed) / static_cast<double>(records);
      last_pause = std::clamp(
          std::chrono::nanoseconds(static_cast<std::int64_t>(fill_ns / kFillFraction)), lo, hi);
    }
    return last_pause;
  }

  void update_stats() {
    const WriterStats& w = writer->stats();
    stats.records = w.records;
    stats.lost = w.lost;
    stats.changes = w.changes;
    stats.full_blocks = w.full_blocks;
    stats.bytes_written = w.bytes_written;
  }
};

Recorder::Recorder(const std::string& session, int fd, const RecorderOptions& options)
    : impl_(std::make_unique<Impl>()) {
  Impl& r = *impl_;
  r.options = options;
  const std::uint64_t realtime = shmipc::realtime_ns();
  const std::uint64_t started = shmipc::monotonic_ns();
  r.observer = shmipc::Observer::open(session);
  r.tail = std::make_unique<detail::JournalTail>(session);
  shmipc::Snapshot snap = r.observer->snapshot();
  if (snap.raw.size() != sizeof(shmipc::Block))
    throw shmipc::Error(shmipc::ErrorCode::Corrupt,
                        "the block of \"" + session + "\" is cut short (" +
                            std::to_string(snap.raw.size()) + " bytes): nothing to record");
  r.epoch = snap.header.session_epoch;
  // The records still in the ring are the session's history before the recording: they are
  // recorded too, so a session recorded from its start has its whole journal.
  r.from = snap.journal_next > shmipc::kJournalCapacity
               ? snap.journal_next - shmipc::kJournalCapacity
               : 0;
  shmipc::JournalRead history = r.observer->journal_since(snap, r.from);
  // The oldest entries may be overwritten while the ring is copied: they were going out of
  // the ring anyway, not lost by the recorder. The history starts at its first intact record.
  if (!history.items.empty()) r.from = history.items.front().seq;
  else r.from = history.next;

  // The recording starts with its first full copy; the history's records are older.
  RecordingInfo info;
  info.session = session;
  info.host = host_name();
  info.block_size = static_cast<std::uint32_t>(sizeof(shmipc::Block));
  info.layout_version = snap.header.layout_version;
  info.start_monotonic_ns = snap.taken_ns;
  info.start_realtime_ns = realtime + (snap.taken_ns > started ? snap.taken_ns - started : 0);
  r.writer = std::make_unique<Writer>(fd, info, options.writer);
  r.prev.assign(snap.raw.begin(), snap.raw.begin() + kFixedBytes);
  r.take_journal(history, snap.taken_ns);
  r.full_copy(snap);
  r.last_snapshot = snap.taken_ns;
  r.snapshot_due = false;
  r.writer->flush();
  r.last_flush = snap.taken_ns;
  r.last_link_check = snap.taken_ns;
  r.last_poll_t = snap.taken_ns;
  r.stats.started_ns = started;
  r.update_stats();
}

Recorder::~Recorder() = default;

bool Recorder::poll() {
  Impl& r = *impl_;
  if (r.gone || r.finished) return false;
  if (!r.poll_once(false)) r.gone = true;
  return !r.gone;
}

EndReason Recorder::run(const std::atomic<bool>& stop,
                        std::optional<std::chrono::nanoseconds> duration) {
  // Its sleeps are a fraction of the ring's fill time: the default 50 us timer slack would
  // stretch each one by up to a third at a busy session's rates.
  ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  const std::uint64_t until =
      duration ? shmipc::monotonic_ns() + static_cast<std::uint64_t>(duration->count()) : UINT64_MAX;
  EndReason reason = EndReason::Stopped;
  std::uint64_t last_progress = 0;
  while (true) {
    if (stop.load(std::memory_order_relaxed)) break;
    const bool alive = poll();
    const auto& progress = impl_->options.progress;
    if (progress && shmipc::monotonic_ns() - last_progress >= ns(impl_->options.progress_every)) {
      last_progress = shmipc::monotonic_ns();
      progress(impl_->stats);
    }
    if (!alive) {
      reason = EndReason::SessionGone;
      break;
    }
    if (shmipc::monotonic_ns() >= until) {
      reason = EndReason::Duration;
      break;
    }
    const auto pause = impl_->pause();
    if (pause <= impl_->options.min_sleep) std::this_thread::yield();
    else std::this_thread::sleep_for(pause);
  }
  finish(reason);
  return reason;
}

void Recorder::finish(EndReason reason) {
  Impl& r = *impl_;
  if (r.finished) return;
  // A last look, snapshot included: what happened since the last poll (a removed segment is
  // still readable through our descriptors, so a session's last moments are kept too).
  if (!r.gone && !r.poll_once(true)) r.gone = true;
  if (r.gone && r.snapshot_due) {
    try {
      r.take_snapshot();
    } catch (const shmipc::Error&) {
    }
  }
  r.finished = true;
  const std::uint64_t t = shmipc::monotonic_ns();
  r.writer->finish(t, reason);
  r.stats.ended_ns = t;
  r.update_stats();
  if (r.options.progress) r.options.progress(r.stats);
}

const RecorderStats& Recorder::stats() const noexcept { return impl_->stats; }

}  // namespace shmrecord
