#include "replay/playback.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "shmipc/snapshot.hpp"

namespace shmscope {
namespace {

// Forward, the records already shown are skipped by sequence number; a second of overlap
// catches a record whose time is a little older than the previous one's (another writer).
constexpr std::uint64_t kForwardOverlapNs = 1'000'000'000;

// Only the newest kJournalKept records are kept: a rebuild starts at the journal chunk that
// holds them instead of decompressing the whole recording on every scrub backwards.
std::uint64_t newest_kept_chunk_ns(const shmrecord::Reader& reader, std::uint64_t t_ns) {
  std::uint64_t counted = 0;
  const auto& chunks = reader.chunks();
  for (auto it = chunks.rbegin(); it != chunks.rend(); ++it) {
    if (it->kind != shmrecord::ChunkKind::Journal || it->t_first_ns > t_ns) continue;
    counted += it->count;
    if (counted >= Playback::kJournalKept) return it->t_first_ns;
  }
  return 0;
}

}  // namespace

Playback::Playback(std::unique_ptr<shmrecord::Reader> reader, std::string label, bool stream)
    : reader_(std::move(reader)), label_(std::move(label)), stream_(stream),
      history_(1200, kJournalKept) {
  following_ = stream_;
  // A file opens at its end, the whole run in the diagram; Play from the end starts over.
  t_ns_ = reader_->end_ns();
  chunks_seen_ = reader_->chunks().size();
}

std::unique_ptr<Playback> Playback::open(const std::string& path) {
  if (path == "-") {
    return std::make_unique<Playback>(shmrecord::Reader::open_fd(STDIN_FILENO), "standard input",
                                      true);
  }
  return std::make_unique<Playback>(shmrecord::Reader::open_file(path), path, false);
}

bool Playback::update(std::uint64_t wall_now_ns) {
  bool grew = false;
  // A stream, or a file a recorder is still writing (no end marker yet; the reader calls a
  // file truncated at its current end and reads on if it grows): read what arrived.
  const shmrecord::FileState state = reader_->status().state;
  if (state == shmrecord::FileState::Growing || state == shmrecord::FileState::Truncated) {
    grew = reader_->pump(std::chrono::milliseconds(0)) > 0;
  }
  if (reader_->chunks().size() != chunks_seen_) {
    chunks_seen_ = reader_->chunks().size();
    grew = true;
  }
  // Only wall time spent playing moves the instant: Play after a long pause (the loop sleeps
  // up to a second between looks) must not jump ahead by the time it sat paused.
  const std::uint64_t elapsed =
      last_wall_ns_ == 0 || !clock_running_ ? 0 : wall_now_ns - last_wall_ns_;
  last_wall_ns_ = wall_now_ns;
  clock_running_ = playing_ && !following_;
  if (following_) {
    t_ns_ = reader_->end_ns();
  } else if (playing_) {
    carry_ns_ += static_cast<double>(elapsed) * speed_;
    const auto whole = static_cast<std::uint64_t>(carry_ns_);
    carry_ns_ -= static_cast<double>(whole);
    t_ns_ = std::min(t_ns_ + whole, reader_->end_ns());
    // At the end of a finished recording playing stops; a live stream waits for more.
    if (t_ns_ >= reader_->end_ns() && reader_->at_end()) playing_ = false;
  }
  if (shown_valid_ && t_ns_ == shown_ns_ && !(grew && !history_.latest())) return grew;
  rebuild();
  return true;
}

void Playback::rebuild() {
  bool forward = shown_valid_ && t_ns_ >= shown_ns_ && history_.latest() != nullptr;
  const std::uint64_t previous_ns = shown_ns_;
  shown_ns_ = t_ns_;
  shown_valid_ = true;
  auto block = reader_->block_at(t_ns_);
  if (!block) {
    history_.clear();
    problem_ = reader_->full_block_times().empty()
                   ? "no copy of the block in the recording yet"
                   : "no block before the recording's first full copy";
    return;
  }
  shmipc::Snapshot snap = shmipc::decode_snapshot(*block);
  snap.taken_ns = t_ns_;
  // Liveness is not in a recording (docs/RECORDING.md): a slot in use was a member then. The
  // panels would otherwise call every recorded process dead and its waits stale.
  for (auto& part : snap.participants) part.alive = part.in_use();
  problem_.clear();

  shmipc::JournalRead read;
  if (forward) {
    const std::uint64_t from_ns = previous_ns > kForwardOverlapNs ? previous_ns - kForwardOverlapNs : 0;
    read.items = reader_->journal(from_ns, t_ns_);
    // A record's time is read before its sequence number is taken, so under load a record can
    // be newer by time than the next one by number. Such a record, due only now, is behind
    // what the history already holds and would be dropped: start over instead.
    const std::uint64_t next = history_.journal_next();
    forward = std::none_of(read.items.begin(), read.items.end(), [&](const auto& it) {
      return it.seq < next && it.record.t_ns > previous_ns;
    });
  }
  if (!forward) {
    history_.clear();
    read.items = reader_->journal(newest_kept_chunk_ns(*reader_, t_ns_), t_ns_);
  }
  if (read.items.size() > kJournalKept) {
    read.items.erase(read.items.begin(),
                     read.items.end() - static_cast<std::ptrdiff_t>(kJournalKept));
  }
  const std::uint64_t lost_before = history_.journal_lost();
  std::uint64_t lost_now = 0;
  std::uint64_t lost_total = 0;
  for (const shmrecord::Gap& g : reader_->gaps()) {
    if (g.t_ns > t_ns_) continue;
    lost_total += g.count;
    const bool newer = history_.gaps().empty() || g.first_seq > history_.gaps().back().first_seq;
    if (newer) {
      history_.note_gap({g.first_seq, g.count, g.t_ns});
      lost_now += g.count;
    }
  }
  read.lost = forward ? lost_now : lost_total - std::min(lost_total, lost_before);
  read.next = read.items.empty() ? snap.journal_next : read.items.back().seq + 1;
  history_.ingest(std::move(snap), read);
}

void Playback::seek(std::uint64_t t_ns) {
  following_ = false;
  t_ns_ = std::clamp(t_ns, reader_->start_ns(), std::max(reader_->start_ns(), reader_->end_ns()));
}

void Playback::seek_seconds(double seconds) {
  seek(reader_->time_at_seconds(std::max(0.0, seconds)));
}

void Playback::step(int dir) {
  if (dir == 0) return;
  const std::uint64_t start = std::min(reader_->start_ns(), reader_->end_ns());
  const std::uint64_t end = reader_->end_ns();
  // Widening windows around the instant: a step usually lands within milliseconds, and the
  // reader decompresses only the chunks a window touches.
  for (std::uint64_t w = 1'000'000;; w *= 4) {
    std::vector<shmipc::JournalItem> items;
    if (dir > 0) {
      if (t_ns_ >= end) return;
      items = reader_->journal(t_ns_ + 1, std::min(end, t_ns_ + w));
      if (!items.empty()) {
        std::uint64_t best = UINT64_MAX;
        for (const auto& it : items) best = std::min(best, it.record.t_ns);
        seek(best);
        return;
      }
      if (t_ns_ + w >= end) return;
    } else {
      if (t_ns_ <= start) return;
      const std::uint64_t from = t_ns_ - start > w ? t_ns_ - w : start;
      items = reader_->journal(from, t_ns_ - 1);
      if (!items.empty()) {
        std::uint64_t best = 0;
        for (const auto& it : items) best = std::max(best, it.record.t_ns);
        seek(best);  // the ring's older history is shown at the start, where it stops
        return;
      }
      if (from == start) return;
    }
  }
}

void Playback::set_playing(bool playing) {
  if (playing && !playing_) {
    following_ = false;
    // Play at the end of a finished recording starts it over.
    if (t_ns_ >= reader_->end_ns() && reader_->at_end()) t_ns_ = reader_->start_ns();
    carry_ns_ = 0;
  }
  playing_ = playing;
}

void Playback::set_speed(double speed) {
  speed_ = std::clamp(speed, kMinSpeed, kMaxSpeed);
}

void Playback::follow() {
  following_ = true;
  playing_ = false;
}

PanelInput playback_panel_input(const Playback& playback, const ActingState& acting) {
  const SessionHistory& history = playback.history();
  const std::uint64_t shown_now =
      history.latest() != nullptr ? history.latest()->taken_ns : playback.t_ns();
  return PanelInput{history, acting, shown_now, playback.reader().start_ns()};
}

}  // namespace shmscope
