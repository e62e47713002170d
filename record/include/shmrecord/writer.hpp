// The one module that writes recordings (format: docs/RECORDING.md). Items are buffered per
// kind and written as independently decodable zstd chunks; flush() hands what is pending to
// the writer's own thread, which compresses and writes it at once, so a stream (`--out -`)
// is live to within one flush. Items must be given in time order. A failed write (disk full,
// EPIPE) is thrown by the next call; finish() waits until everything is written.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "shmipc/journal.hpp"
#include "shmrecord/format.hpp"

namespace shmrecord {

struct WriterOptions {
  // zstd's fastest level: a busy session's journal is compressed about 6x at ~500 MB/s of one
  // core, which leaves the CPU to the session and the recorder's polls.
  int zstd_level = 1;
  std::size_t chunk_target_bytes = 128 << 10;  // a kind's pending bytes that trigger a chunk
};

struct WriterStats {
  std::uint64_t chunks = 0;
  std::uint64_t bytes_written = 0;  // to the fd, header included
  std::uint64_t raw_bytes = 0;      // payload bytes before compression
  std::uint64_t records = 0;
  std::uint64_t lost = 0;
  std::uint64_t full_blocks = 0;
  std::uint64_t changes = 0;
};

class Writer {
 public:
  // Writes the file header at once. `fd` is not owned (a file or a pipe, e.g. 1). Throws
  // shmipc::Error(System) when a write fails (EPIPE included: the reader has gone), here or
  // from a later call.
  Writer(int fd, const RecordingInfo& info, const WriterOptions& options = {});
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // A whole copy of the block (info.block_size bytes). Pending items are flushed first, so a
  // full copy always follows every item older than it in the file.
  void full_block(std::uint64_t t_ns, std::span<const std::byte> block);
  void block_change(std::uint64_t t_ns, std::uint32_t offset, std::span<const std::byte> bytes);
  // Sequence numbers must increase strictly across calls (a gap is written with gap()).
  void journal(std::span<const shmipc::JournalItem> items);
  void gap(std::uint64_t t_ns, std::uint64_t first_seq, std::uint64_t count);

  // Writes every pending item as chunks (one per kind that has any).
  void flush();
  // Flushes, then writes the end marker. Nothing may be added afterwards.
  void finish(std::uint64_t t_ns, EndReason reason);

  // Items are counted as given; chunks and bytes once written.
  WriterStats stats() const;
  const RecordingInfo& info() const noexcept;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace shmrecord
