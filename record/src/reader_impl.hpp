// The reader's state, shared by its two files: reader_input.cpp turns bytes into a checked
// index of chunks (header, frames, payloads, end of input), reader.cpp answers queries from
// that index. Private to record/src.
#pragma once

#include <zstd.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "little_endian.hpp"
#include "shmrecord/reader.hpp"

namespace shmrecord {

namespace detail {

inline constexpr std::size_t kJournalItemBytes = 8 + sizeof(shmipc::JournalRecord);

inline std::string at(std::uint64_t offset) { return "offset " + std::to_string(offset); }

// A journal item as the format stores it; the caller has checked kJournalItemBytes are there.
inline shmipc::JournalItem decode_item(const char* p) {
  shmipc::JournalItem item;
  item.seq = get_le<std::uint64_t>(p);
  auto& r = item.record;
  r.t_ns = get_le<std::uint64_t>(p + 8);
  r.pid = get_le<std::uint32_t>(p + 16);
  r.tid = get_le<std::uint32_t>(p + 20);
  r.kind = get_le<std::uint16_t>(p + 24);
  r.role = get_le<std::uint8_t>(p + 26);
  r.flags = get_le<std::uint8_t>(p + 27);
  r.arg = get_le<std::uint32_t>(p + 28);
  r.value = get_le<std::uint64_t>(p + 32);
  std::memcpy(r.preview, p + 40, shmipc::kPreviewBytes);
  return item;
}

}  // namespace detail

struct Reader::Impl {
  RecordingInfo info;
  ReaderStatus status;
  std::vector<ChunkInfo> chunks;
  std::vector<std::string> payloads;  // stored bytes, parallel to chunks (empty: not kept)
  std::vector<Gap> gaps;
  std::uint64_t lost = 0;
  std::uint64_t records = 0;
  std::uint64_t latest_t = 0;
  bool any_seq = false;
  std::uint64_t last_seq = 0;

  bool header_done = false;
  std::string buf;               // bytes received; [head, size) not yet consumed
  std::size_t head = 0;          // consumed bytes are dropped once per parse(), not per chunk
  std::uint64_t buf_offset = 0;  // stream offset of buf[head]
  const char* data() const { return buf.data() + head; }
  std::size_t avail() const { return buf.size() - head; }
  int fd = -1;
  bool own_fd = false;
  bool regular_file = false;
  bool eof = false;
  ZSTD_DCtx* dctx = nullptr;
  std::unique_ptr<char[]> piece;  // pump()'s read buffer

  Impl() {
    dctx = ZSTD_createDCtx();
    // A frame may ask for a window as large as it likes; chunks are at most 4 MiB.
    if (dctx) ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, 23);
  }
  ~Impl() {
    if (dctx) ZSTD_freeDCtx(dctx);
    if (own_fd && fd >= 0) ::close(fd);
  }

  bool finished() const {
    return status.state == FileState::Complete || status.state == FileState::Corrupt;
  }

  // ---- header ---------------------------------------------------------------------------
  // False while more bytes are needed; throws FormatError for a header that cannot be right.
  bool parse_header();

  void consume(std::size_t n) {
    head += n;
    buf_offset += n;
  }

  // ---- chunks ---------------------------------------------------------------------------
  std::vector<bool> raw_stored;  // parallel to chunks: payload kept uncompressed

  void validate(ChunkInfo& c, const std::string& raw);

  void keep(const ChunkInfo& c, std::string stored, const std::string& raw, bool was_raw);

  void corrupt(std::uint64_t offset, const std::string& problem);

  // Parses every complete chunk in buf. Returns the number of new chunks.
  std::size_t parse();

  std::string decompress_new(const ChunkInfo& c, const char* stored);

  // A query's view of a kept chunk's payload, decompressed. The last ones used are kept (up
  // to kCacheBytes): the monitor asks for the same instant's chunks every frame.
  struct CachedPayload {
    std::shared_ptr<const std::string> raw;
    std::uint64_t last_use = 0;
  };
  mutable std::unordered_map<std::size_t, CachedPayload> cache;
  mutable std::size_t cache_bytes = 0;
  mutable std::uint64_t use_clock = 0;
  static constexpr std::size_t kCacheBytes = 64u << 20;

  std::shared_ptr<const std::string> payload(std::size_t i) const;

  // block_at()'s last answer, so that playing forward applies only what came since.
  struct BlockAt {
    bool valid = false;
    std::size_t base = 0;    // the full copy's chunk
    std::size_t chunks = 0;  // chunks that existed when it was built
    std::uint64_t t = 0;
    std::string block;
  };
  mutable BlockAt last_block;

  // Applies, from chunks [first, last), the changes with change_after < t <= until and the
  // journal records with journal_after < t <= until (every one up to `until` if nullopt).
  void apply(std::string& block, std::size_t first, std::size_t last, std::uint64_t change_after,
             std::optional<std::uint64_t> journal_after, std::uint64_t until) const;

  // After reading: what the end of the input means.
  void settle_end();

  // Reads what is available (waiting up to `wait` for the first byte) and parses it.
  std::size_t pump(std::chrono::milliseconds wait);
};

}  // namespace shmrecord
