// Reads a live segment safely: opened O_RDONLY and copied with pread (never mapped, so a
// segment that shrinks under us is a short read, not a SIGBUS). Each read re-checks fstat and
// the path: a new size, a new inode (the segment was recreated: reopened) or a vanished segment
// is reported in the sample, not thrown.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shminspect {

struct ByteRange {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

enum class SegmentEvent {
  None,
  Resized,     // same inode, new size
  Recreated,   // the path now names another inode: reopened
  Vanished,    // the path is gone (the last sample's bytes are not kept)
  Reappeared,  // it was gone and is back
};
const char* event_name(SegmentEvent event);

struct Sample {
  std::uint64_t time_ns = 0;       // CLOCK_MONOTONIC
  std::uint64_t segment_size = 0;  // from fstat at this read
  ino_t inode = 0;
  bool present = false;  // false: vanished (bytes empty)
  SegmentEvent event = SegmentEvent::None;
  std::string message;  // what happened, for the user ("segment recreated (inode 12 -> 15)")

  // bytes[i] is byte base + i of the segment. base is 0 (bytes.size() = min(segment_size,
  // limit), or the end of the last range) unless ReaderOptions::window is set. Only `sampled`
  // ranges were read; the rest are zero.
  std::uint64_t base = 0;
  std::vector<std::uint8_t> bytes;
  std::vector<ByteRange> sampled;
  // 1 where the two reads of one sample differed and kept differing (the byte was being
  // written): "in flux", not a change. Same length as bytes.
  std::vector<std::uint8_t> in_flux;
  bool consistent = true;  // no byte in flux (or the seqlock counter was even and unchanged)
  int attempts = 1;

  // [offset, offset + size) (segment offsets) was read in this sample.
  bool covers(std::uint64_t offset, std::uint64_t size) const;
};

struct ReaderOptions {
  // Read at most this many bytes of a segment unless ranges are given ("say so": see
  // Sample::sampled). 0 = no limit.
  std::uint64_t whole_read_limit = 64ull << 20;
  int max_attempts = 3;  // re-reads when the two copies differ
  // A seqlock counter (odd while a writer is inside; changes on every write), little-endian
  // unsigned of 4 or 8 bytes at this offset: a copy counts as consistent only if the counter
  // was even and the same before and after.
  std::optional<ByteRange> seqlock;
  // With ranges: keep only [first range's start, last range's end) in memory (Sample::base),
  // so that looking at the end of a huge segment does not allocate all that precedes it.
  bool window = false;
};

class SegmentReader {
 public:
  // NAME as in shm_open ("/NAME" or "NAME", read from /dev/shm/NAME).
  static SegmentReader open_shm(const std::string& name, ReaderOptions options = {});
  // Any readable file (e.g. a memory-mapped file in /tmp).
  static SegmentReader open_file(const std::string& path, ReaderOptions options = {});

  SegmentReader(SegmentReader&& other) noexcept;
  SegmentReader& operator=(SegmentReader&& other) noexcept;
  SegmentReader(const SegmentReader&) = delete;
  SegmentReader& operator=(const SegmentReader&) = delete;
  ~SegmentReader();

  // One sample. `ranges` empty: the whole segment (up to whole_read_limit).
  Sample read(const std::vector<ByteRange>& ranges = {});

  const std::string& path() const { return path_; }
  std::uint64_t size() const { return size_; }  // at the last read
  ino_t inode() const { return inode_; }
  uid_t owner() const { return owner_; }

 private:
  SegmentReader(std::string path, ReaderOptions options);
  void open_path();
  std::string path_;
  ReaderOptions options_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  ino_t inode_ = 0;
  uid_t owner_ = 0;
  bool vanished_ = false;
};

// "/dev/shm/" + name without a leading '/'; throws InspectError(NotFound) for names with '/'.
std::string shm_path(const std::string& name);

}  // namespace shminspect
