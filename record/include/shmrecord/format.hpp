// The recording format's constants and the plain values both sides exchange. docs/RECORDING.md
// describes every byte; the writer (writer.hpp) and the reader (reader.hpp) are the only code
// that encodes or decodes it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace shmrecord {

// "\x89SHMREC\n": a high byte first and a newline last, as PNG does, so that a file mangled
// by a 7-bit or newline-converting transfer is refused at its first bytes.
inline constexpr std::array<unsigned char, 8> kFileMagic = {0x89, 'S', 'H', 'M', 'R', 'E', 'C', 0x0A};
inline constexpr std::uint16_t kFormatVersion = 1;

// Bounds a reader enforces before it allocates anything the file asks for.
inline constexpr std::size_t kMaxHeaderBytes = 4096;
inline constexpr std::size_t kMaxSessionBytes = 64;
inline constexpr std::size_t kMaxHostBytes = 255;
inline constexpr std::size_t kMaxBlockBytes = 1u << 20;      // a block is 134,336 bytes today
inline constexpr std::size_t kMaxChunkRawBytes = 4u << 20;   // decompressed payload of a chunk
inline constexpr std::size_t kMaxChunkStoredBytes = kMaxChunkRawBytes + (64u << 10);

inline constexpr std::size_t kFrameBytes = 40;  // every chunk's uncompressed frame
inline constexpr std::array<unsigned char, 2> kFrameSync = {'C', 'K'};
inline constexpr std::uint8_t kFrameFlagZstd = 1;  // payload compressed (else stored as is)

enum class ChunkKind : std::uint8_t {
  FullBlock = 1,    // one whole copy of the block (at start, then periodically)
  BlockChange = 2,  // byte ranges of the block's fixed areas that changed (message area...)
  Journal = 3,      // journal records, sequence numbers strictly increasing through the file
  Gap = 4,          // journal records lost to the ring: a sequence range and its count
  End = 5,          // clean end: nothing follows
};
std::string_view chunk_kind_name(ChunkKind kind) noexcept;

enum class EndReason : std::uint32_t {
  Stopped = 0,      // SIGINT/SIGTERM, or the program asked
  Duration = 1,     // --seconds ran out
  SessionGone = 2,  // the session's block was removed or replaced
  ReaderGone = 3,   // (never written: the pipe closed) kept for completeness of the codes
};
std::string_view end_reason_name(EndReason reason) noexcept;

// What the file header holds (docs/RECORDING.md, "File header").
struct RecordingInfo {
  std::uint16_t format_version = kFormatVersion;
  std::string session;
  std::string host;
  std::uint32_t block_size = 0;      // bytes of one full copy
  std::uint32_t layout_version = 0;  // shmipc::kLayoutVersion of the recorded block
  std::uint64_t start_realtime_ns = 0;   // wall clock at start, for display
  std::uint64_t start_monotonic_ns = 0;  // the recording machine's CLOCK_MONOTONIC at start;
                                         // every time in the file is on this clock
};

// One changed byte range of the block at an instant.
struct BlockChange {
  std::uint64_t t_ns = 0;
  std::uint32_t offset = 0;
  std::string bytes;  // the range's new contents
};

// Journal records [first_seq, first_seq + count) were overwritten in the ring (or torn)
// before the recorder could copy them; noticed at t_ns.
struct Gap {
  std::uint64_t t_ns = 0;
  std::uint64_t first_seq = 0;
  std::uint64_t count = 0;
};

struct EndMarker {
  std::uint64_t t_ns = 0;
  EndReason reason = EndReason::Stopped;
  std::uint64_t records = 0;  // journal records written
  std::uint64_t lost = 0;     // journal records lost (the sum of the gaps)
};

}  // namespace shmrecord
