// The one module that reads recordings (format: docs/RECORDING.md). Everything in a file is
// untrusted: every length is bounds-checked, decompressed sizes are capped, and a problem is
// reported with the byte offset where it was found. A file cut short opens up to its last
// complete chunk and says so; a stream (a pipe, stdin) is read incrementally while it grows.
//
// A Reader is used from one thread at a time: queries keep caches (the last decompressed
// chunks, the last block_at() answer, so that playing forward costs only what happened since).
//
// Times are the recording machine's CLOCK_MONOTONIC nanoseconds (the block's own clock);
// seconds_of()/time_at_seconds() convert to and from seconds since the recording started.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shmipc/journal.hpp"
#include "shmrecord/format.hpp"

namespace shmrecord {

// Thrown for a file that cannot be opened at all (no header, bad magic, unknown version, an
// I/O error): what() names the offset and the problem. Problems after the header are not
// thrown: the reader keeps what came before and reports them in status().
class FormatError : public std::runtime_error {
 public:
  FormatError(std::uint64_t offset, const std::string& problem);
  std::uint64_t offset() const noexcept { return offset_; }

 private:
  std::uint64_t offset_;
};

struct ChunkInfo {
  ChunkKind kind = ChunkKind::End;
  std::uint64_t offset = 0;  // of its frame in the file/stream
  std::uint32_t stored_bytes = 0;
  std::uint32_t raw_bytes = 0;
  std::uint32_t count = 0;  // items in it
  std::uint64_t t_first_ns = 0;
  std::uint64_t t_last_ns = 0;
  std::uint64_t seq_first = 0;  // Journal chunks: first and last sequence number
  std::uint64_t seq_last = 0;
};

enum class FileState {
  Growing,    // a stream or file still being read: no end marker yet, nothing wrong so far
  Complete,   // ended with the end marker
  Truncated,  // ended (EOF) inside or right after a chunk, without the end marker
  Corrupt,    // a chunk failed its checks: nothing from it on is used
};

struct ReaderStatus {
  FileState state = FileState::Growing;
  std::uint64_t good_bytes = 0;     // bytes up to the end of the last complete chunk
  std::uint64_t chunks = 0;         // complete chunks read
  std::uint64_t problem_offset = 0; // Truncated/Corrupt: where
  std::string problem;              // e.g. "truncated after chunk 41 at offset 90112: ..."
  std::optional<EndMarker> end;     // Complete: the marker
};

class Reader {
 public:
  // Reads the whole file now (a file that is still growing can be read further with pump()).
  static std::unique_ptr<Reader> open_file(const std::string& path);
  // A stream (pipe, stdin, socket): reads the header, blocking up to `header_wait`, then
  // returns; later data comes in through pump(). The fd is not owned and is set O_NONBLOCK.
  static std::unique_ptr<Reader> open_fd(int fd, std::chrono::milliseconds header_wait =
                                                     std::chrono::milliseconds(10000));
  // From bytes in memory (tests, fuzzing): as if a file ended there.
  static std::unique_ptr<Reader> open_bytes(std::string bytes);
  ~Reader();

  // Reads what has arrived, waiting up to `wait` for the first byte; returns the number of
  // new complete chunks. End of stream ends the recording (Complete or Truncated).
  std::size_t pump(std::chrono::milliseconds wait = std::chrono::milliseconds(0));
  // Nothing more to read: the end marker, a corrupt chunk, or the end of the input (a pipe's
  // for good; a regular file's as of the last read: pump() reads on if it has grown since).
  bool at_end() const noexcept;

  const RecordingInfo& info() const noexcept;
  const ReaderStatus& status() const noexcept;
  const std::vector<ChunkInfo>& chunks() const noexcept;

  // Monotonic times: first and last instant the file covers (start = header's monotonic
  // start; end = the latest item or the end marker). duration_ns() = end - start.
  std::uint64_t start_ns() const noexcept;
  std::uint64_t end_ns() const noexcept;
  std::uint64_t duration_ns() const noexcept;
  double seconds_of(std::uint64_t t_ns) const noexcept;
  std::uint64_t time_at_seconds(double seconds) const noexcept;

  // The block's bytes as they were at instant t: the last full copy at or before t, with
  // every later change and journal record up to t applied. nullopt before the first copy.
  std::optional<std::vector<std::byte>> block_at(std::uint64_t t_ns) const;

  // Journal records with t_first_ns <= t_ns <= t_last_ns, in sequence order.
  std::vector<shmipc::JournalItem> journal(std::uint64_t t_first_ns, std::uint64_t t_last_ns) const;
  std::vector<shmipc::JournalItem> journal_all() const;
  std::uint64_t journal_records() const noexcept;  // in all complete chunks
  const std::vector<Gap>& gaps() const noexcept;
  std::uint64_t lost_records() const noexcept;     // the sum of the gaps
  // The block changes with t_first_ns <= t_ns <= t_last_ns, in file order.
  std::vector<BlockChange> changes(std::uint64_t t_first_ns, std::uint64_t t_last_ns) const;
  // Times of the full copies, ascending.
  std::vector<std::uint64_t> full_block_times() const;

  struct Impl;

 private:
  explicit Reader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

std::string_view file_state_name(FileState state) noexcept;

}  // namespace shmrecord
