// Records a live session: copies the block through shmipc::Observer (never writes to it, never
// takes its mutex), follows the journal by sequence number, writes every change through a
// Writer. Used by `shmipc record`, `shmipc scenario --record` and the monitor's Record button.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "shmrecord/writer.hpp"

namespace shmrecord {

struct RecorderStats {
  std::uint64_t polls = 0;
  std::uint64_t records = 0;
  std::uint64_t lost = 0;
  std::uint64_t changes = 0;
  std::uint64_t full_blocks = 0;
  std::uint64_t bytes_written = 0;
  std::uint64_t started_ns = 0;
  std::uint64_t ended_ns = 0;
};

struct RecorderOptions {
  std::chrono::milliseconds full_copy_every{1000};
  std::chrono::milliseconds flush_every{100};  // a stream is live to within this
  // The fixed areas are copied when the journal moved, at most this often, and at least
  // every idle_snapshot_every (heartbeats change without a journal record).
  std::chrono::microseconds snapshot_every{1000};
  std::chrono::milliseconds idle_snapshot_every{50};
  // Between polls the recorder sleeps a 32nd of the time the journal's current rate takes to
  // fill the ring (a poll that found nothing doubles the last pause), within these bounds:
  // short enough that the ring does not wrap between two polls at the rate just seen, and
  // the CPUs are left to the session in between.
  std::chrono::microseconds min_sleep{50};
  std::chrono::microseconds max_sleep{2000};
  WriterOptions writer;
  // Called by run() on its thread every progress_every, and once at the end (a GUI shows the
  // counts: RecordingThread keeps a copy for other threads).
  std::function<void(const RecorderStats&)> progress;
  std::chrono::milliseconds progress_every{250};
};

class Recorder {
 public:
  // Opens the session (throws shmipc::Error NotFound/Untrusted...) and writes the header and
  // a first full copy to `fd` (not owned).
  Recorder(const std::string& session, int fd, const RecorderOptions& options = {});
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // New journal records; the fixed areas' changes or a full copy when due; a flush when due.
  // Returns false once the session's block is gone (unlinked, replaced or reclaimed).
  bool poll();
  // Polls until `stop` is set, `duration` has passed or the block is gone, then finish()es.
  EndReason run(const std::atomic<bool>& stop,
                std::optional<std::chrono::nanoseconds> duration = std::nullopt);
  // Takes a last copy, writes the end marker. Idempotent.
  void finish(EndReason reason);

  const RecorderStats& stats() const noexcept;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace shmrecord
