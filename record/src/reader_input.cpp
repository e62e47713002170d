// The reader's input side: the header, then each chunk as soon as all its bytes are there;
// every chunk is checked whole (frame checksum, limits, payload checksum, decompression to
// exactly its stated size, contents) before it is kept, and the end of the input is judged
// (complete, truncated where and why, corrupt where and why).
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "reader_impl.hpp"

namespace shmrecord {

using detail::at;
using detail::decode_item;
using detail::get_le;
using detail::kJournalItemBytes;

namespace {

constexpr std::size_t kHeaderFixed = 44;
constexpr std::size_t kReadPiece = 1u << 20;
constexpr std::size_t kMaxBytesPerPump = 64u << 20;  // keeps a caller's frame responsive

std::uint32_t crc(const char* data, std::size_t size) {
  uLong c = crc32(0L, Z_NULL, 0);
  return static_cast<std::uint32_t>(
      crc32(c, reinterpret_cast<const Bytef*>(data), static_cast<uInt>(size)));
}

struct ChunkProblem {
  std::string text;
};

}  // namespace

FormatError::FormatError(std::uint64_t offset, const std::string& problem)
    : std::runtime_error(at(offset) + ": " + problem), offset_(offset) {}

bool Reader::Impl::parse_header() {
  const std::size_t have = avail();
  const char* b = data();
  const std::size_t magic_have = std::min(have, kFileMagic.size());
  if (std::memcmp(b, kFileMagic.data(), magic_have) != 0)
    throw FormatError(0, "not a shmscope recording (the file does not start with the "
                         "recording magic \\x89SHMREC\\n)");
  if (have < 12) return false;
  const auto version = get_le<std::uint16_t>(b + 8);
  if (version != kFormatVersion)
    throw FormatError(8, "format version " + std::to_string(version) +
                             " is not supported (this reader reads version " +
                             std::to_string(kFormatVersion) + ")");
  const auto total = get_le<std::uint16_t>(b + 10);
  if (total < kHeaderFixed + 4 || total > kMaxHeaderBytes)
    throw FormatError(10, "header length " + std::to_string(total) + " is out of range");
  if (have < total) return false;
  info.format_version = version;
  info.block_size = get_le<std::uint32_t>(b + 12);
  info.layout_version = get_le<std::uint32_t>(b + 16);
  const auto flags = get_le<std::uint32_t>(b + 20);
  info.start_realtime_ns = get_le<std::uint64_t>(b + 24);
  info.start_monotonic_ns = get_le<std::uint64_t>(b + 32);
  const auto session_len = get_le<std::uint16_t>(b + 40);
  const auto host_len = get_le<std::uint16_t>(b + 42);
  if (flags != 0)
    throw FormatError(20, "unknown header flags 0x" + std::to_string(flags));
  if (session_len > kMaxSessionBytes || host_len > kMaxHostBytes ||
      kHeaderFixed + session_len + host_len + 4 != total)
    throw FormatError(40, "session and host lengths (" + std::to_string(session_len) + ", " +
                              std::to_string(host_len) + ") disagree with the header length " +
                              std::to_string(total));
  if (info.block_size == 0 || info.block_size > kMaxBlockBytes)
    throw FormatError(12, "block size " + std::to_string(info.block_size) + " is out of range");
  const auto stored_crc = get_le<std::uint32_t>(b + total - 4);
  if (crc(b, total - 4) != stored_crc)
    throw FormatError(total - 4, "header checksum mismatch");
  info.session.assign(b + kHeaderFixed, session_len);
  info.host.assign(b + kHeaderFixed + session_len, host_len);
  latest_t = info.start_monotonic_ns;
  header_done = true;
  consume(total);
  status.good_bytes = buf_offset;
  return true;
}

void Reader::Impl::validate(ChunkInfo& c, const std::string& raw) {
  const auto in_range = [&c](std::uint64_t t) { return t >= c.t_first_ns && t <= c.t_last_ns; };
  switch (c.kind) {
    case ChunkKind::FullBlock:
      if (c.count != 1 || raw.size() != info.block_size || c.t_first_ns != c.t_last_ns)
        throw ChunkProblem{"a full copy must hold one block of " +
                           std::to_string(info.block_size) + " bytes at one instant (it holds " +
                           std::to_string(raw.size()) + " bytes, count " +
                           std::to_string(c.count) + ")"};
      return;
    case ChunkKind::BlockChange: {
      std::size_t p = 0;
      std::uint32_t n = 0;
      while (p < raw.size()) {
        if (raw.size() - p < 16) throw ChunkProblem{"change " + std::to_string(n) + " is cut short"};
        const auto t = get_le<std::uint64_t>(raw.data() + p);
        const auto off = get_le<std::uint32_t>(raw.data() + p + 8);
        const auto len = get_le<std::uint32_t>(raw.data() + p + 12);
        p += 16;
        if (len > raw.size() - p || off > info.block_size || len > info.block_size - off)
          throw ChunkProblem{"change " + std::to_string(n) + " (" + std::to_string(len) +
                             " bytes at block offset " + std::to_string(off) +
                             ") lies outside the block or the chunk"};
        if (!in_range(t)) throw ChunkProblem{"change " + std::to_string(n) + " is outside the chunk's time range"};
        p += len;
        ++n;
      }
      if (n != c.count)
        throw ChunkProblem{"holds " + std::to_string(n) + " changes, its frame says " +
                           std::to_string(c.count)};
      return;
    }
    case ChunkKind::Journal: {
      if (raw.size() != static_cast<std::size_t>(c.count) * kJournalItemBytes)
        throw ChunkProblem{"journal payload of " + std::to_string(raw.size()) +
                           " bytes is not " + std::to_string(c.count) + " records of " +
                           std::to_string(kJournalItemBytes) + " bytes"};
      for (std::uint32_t i = 0; i < c.count; ++i) {
        const shmipc::JournalItem item = decode_item(raw.data() + i * kJournalItemBytes);
        if (any_seq && item.seq <= last_seq)
          throw ChunkProblem{"record " + std::to_string(i) + " has sequence " +
                             std::to_string(item.seq) + ", not after " + std::to_string(last_seq)};
        if (!in_range(item.record.t_ns))
          throw ChunkProblem{"record " + std::to_string(i) + " is outside the chunk's time range"};
        if (i == 0) c.seq_first = item.seq;
        c.seq_last = item.seq;
        last_seq = item.seq;
        any_seq = true;
      }
      return;
    }
    case ChunkKind::Gap:
      if (raw.size() != static_cast<std::size_t>(c.count) * 24)
        throw ChunkProblem{"gap payload of " + std::to_string(raw.size()) + " bytes is not " +
                           std::to_string(c.count) + " gaps of 24 bytes"};
      for (std::uint32_t i = 0; i < c.count; ++i) {
        const char* g = raw.data() + i * 24;
        Gap gap{get_le<std::uint64_t>(g), get_le<std::uint64_t>(g + 8),
                get_le<std::uint64_t>(g + 16)};
        if (gap.count == 0 || gap.first_seq + gap.count < gap.first_seq || !in_range(gap.t_ns))
          throw ChunkProblem{"gap " + std::to_string(i) + " is empty, overflows or is outside the chunk's time range"};
      }
      return;
    case ChunkKind::End: {
      if (raw.size() != 32 || c.count != 1)
        throw ChunkProblem{"end marker must be one 32-byte item"};
      const auto reason = get_le<std::uint32_t>(raw.data() + 8);
      if (reason > static_cast<std::uint32_t>(EndReason::ReaderGone) ||
          get_le<std::uint64_t>(raw.data()) != c.t_first_ns)
        throw ChunkProblem{"end marker has an unknown reason or a wrong time"};
      return;
    }
  }
  throw ChunkProblem{"unknown chunk kind"};
}

void Reader::Impl::keep(const ChunkInfo& c, std::string stored, const std::string& raw, bool was_raw) {
  latest_t = std::max(latest_t, c.t_last_ns);
  switch (c.kind) {
    case ChunkKind::Gap:
      for (std::uint32_t i = 0; i < c.count; ++i) {
        const char* g = raw.data() + i * 24;
        gaps.push_back(Gap{get_le<std::uint64_t>(g), get_le<std::uint64_t>(g + 8),
                           get_le<std::uint64_t>(g + 16)});
        lost += gaps.back().count;
      }
      stored.clear();
      break;
    case ChunkKind::End: {
      EndMarker m;
      m.t_ns = get_le<std::uint64_t>(raw.data());
      m.reason = static_cast<EndReason>(get_le<std::uint32_t>(raw.data() + 8));
      m.records = get_le<std::uint64_t>(raw.data() + 16);
      m.lost = get_le<std::uint64_t>(raw.data() + 24);
      status.end = m;
      stored.clear();
      break;
    }
    case ChunkKind::Journal:
      records += c.count;
      break;
    default:
      break;
  }
  chunks.push_back(c);
  payloads.push_back(std::move(stored));
  raw_stored.push_back(was_raw);
  status.chunks = chunks.size();
}

void Reader::Impl::corrupt(std::uint64_t offset, const std::string& problem) {
  status.state = FileState::Corrupt;
  status.problem_offset = offset;
  status.problem = "chunk " + std::to_string(chunks.size() + 1) + " at " + at(offset) + ": " +
                   problem + "; the recording is read up to chunk " +
                   std::to_string(chunks.size()) + " (" + at(status.good_bytes) + ")";
}

std::size_t Reader::Impl::parse() {
  std::size_t added = 0;
  if (!header_done && !parse_header()) return 0;
  while (!finished()) {
    if (avail() < kFrameBytes) break;
    const char* f = data();
    const std::uint64_t off = buf_offset;
    if (static_cast<unsigned char>(f[0]) != kFrameSync[0] ||
        static_cast<unsigned char>(f[1]) != kFrameSync[1]) {
      corrupt(off, "no chunk frame here (expected the bytes \"CK\")");
      break;
    }
    if (crc(f, 36) != get_le<std::uint32_t>(f + 36)) {
      corrupt(off, "frame checksum mismatch");
      break;
    }
    ChunkInfo c;
    c.offset = off;
    const auto kind = static_cast<std::uint8_t>(f[2]);
    const auto flags = static_cast<std::uint8_t>(f[3]);
    c.stored_bytes = get_le<std::uint32_t>(f + 4);
    c.raw_bytes = get_le<std::uint32_t>(f + 8);
    c.count = get_le<std::uint32_t>(f + 12);
    c.t_first_ns = get_le<std::uint64_t>(f + 16);
    c.t_last_ns = get_le<std::uint64_t>(f + 24);
    if (kind < static_cast<std::uint8_t>(ChunkKind::FullBlock) ||
        kind > static_cast<std::uint8_t>(ChunkKind::End)) {
      corrupt(off, "unknown chunk kind " + std::to_string(kind));
      break;
    }
    c.kind = static_cast<ChunkKind>(kind);
    std::string problem;
    if ((flags & ~kFrameFlagZstd) != 0) problem = "unknown frame flags " + std::to_string(flags);
    else if (c.raw_bytes > kMaxChunkRawBytes || c.stored_bytes > kMaxChunkStoredBytes)
      problem = "chunk sizes (" + std::to_string(c.stored_bytes) + " stored, " +
                std::to_string(c.raw_bytes) + " decompressed) exceed the format's limits";
    else if (!(flags & kFrameFlagZstd) && c.stored_bytes != c.raw_bytes)
      problem = "an uncompressed payload must be stored at its own size";
    else if (c.count == 0 || c.t_first_ns > c.t_last_ns)
      problem = "empty chunk or reversed time range";
    if (!problem.empty()) {
      corrupt(off, problem);
      break;
    }
    if (avail() - kFrameBytes < c.stored_bytes) break;  // the rest has not arrived yet
    const char* stored = f + kFrameBytes;
    if (crc(stored, c.stored_bytes) != get_le<std::uint32_t>(f + 32)) {
      corrupt(off, std::string(chunk_kind_name(c.kind)) + " payload checksum mismatch (" +
                       std::to_string(c.stored_bytes) + " bytes at " +
                       at(off + kFrameBytes) + ")");
      break;
    }
    const bool was_raw = !(flags & kFrameFlagZstd);
    const std::uint64_t saved_last_seq = last_seq;
    const bool saved_any_seq = any_seq;
    try {
      std::string raw = was_raw ? std::string(stored, c.stored_bytes) : decompress_new(c, stored);
      validate(c, raw);
      keep(c, std::string(stored, c.stored_bytes), raw, was_raw);
    } catch (const ChunkProblem& p) {
      last_seq = saved_last_seq;
      any_seq = saved_any_seq;
      corrupt(off, std::string(chunk_kind_name(c.kind)) + " chunk: " + p.text);
      break;
    }
    consume(kFrameBytes + c.stored_bytes);
    status.good_bytes = buf_offset;
    ++added;
  }
  if (status.end && status.state != FileState::Corrupt) {
    status.state = FileState::Complete;
    if (avail() > 0) {
      status.problem_offset = buf_offset;
      status.problem = std::to_string(avail()) + " bytes after the end marker at " +
                       at(buf_offset) + " are ignored";
    }
    buf_offset += avail();
    buf.clear();
    head = 0;
  }
  buf.erase(0, head);
  head = 0;
  return added;
}

std::string Reader::Impl::decompress_new(const ChunkInfo& c, const char* stored) {
  const unsigned long long size = ZSTD_getFrameContentSize(stored, c.stored_bytes);
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size != c.raw_bytes)
    throw ChunkProblem{"compressed payload does not state its size as " +
                       std::to_string(c.raw_bytes) + " bytes"};
  std::string raw(c.raw_bytes, '\0');
  if (dctx == nullptr) throw ChunkProblem{"no zstd decompression context"};
  const std::size_t got = ZSTD_decompressDCtx(dctx, raw.data(), raw.size(), stored, c.stored_bytes);
  if (ZSTD_isError(got) || got != c.raw_bytes)
    throw ChunkProblem{std::string("payload does not decompress: ") +
                       (ZSTD_isError(got) ? ZSTD_getErrorName(got) : "wrong size")};
  return raw;
}

void Reader::Impl::settle_end() {
  if (finished() || !eof || !header_done) return;
  status.state = FileState::Truncated;
  status.problem_offset = status.good_bytes;
  std::string why;
  if (avail() == 0) {
    why = "no end marker: the recorder was stopped without finishing (killed, or its disk "
          "filled)";
  } else if (avail() < kFrameBytes) {
    why = "the next chunk's frame is cut short (" + std::to_string(avail()) + " of " +
          std::to_string(kFrameBytes) + " bytes)";
  } else {
    const auto stored = get_le<std::uint32_t>(data() + 4);
    why = "the next chunk is cut short (" + std::to_string(avail() - kFrameBytes) + " of its " +
          std::to_string(stored) + " payload bytes)";
  }
  status.problem = "truncated after chunk " + std::to_string(chunks.size()) + " at " +
                   at(status.good_bytes) + ": " + why;
}

std::size_t Reader::Impl::pump(std::chrono::milliseconds wait) {
  if (fd < 0 || finished()) return 0;
  if (eof && !regular_file) return 0;
  std::size_t added = 0;
  std::size_t total = 0;
  if (!regular_file && wait.count() > 0) {
    pollfd p{fd, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(wait.count(), 1 << 30)));
  }
  if (!piece) piece.reset(new char[kReadPiece]);  // not zeroed: read() fills it
  while (total < kMaxBytesPerPump && !finished()) {
    const ssize_t n = ::read(fd, piece.get(), kReadPiece);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      const int err = errno;
      eof = true;
      if (!header_done)
        throw FormatError(buf_offset + avail(), std::string("read failed: ") + std::strerror(err));
      status.state = FileState::Truncated;
      status.problem_offset = status.good_bytes;
      status.problem = "truncated after chunk " + std::to_string(chunks.size()) + " at " +
                       at(status.good_bytes) + ": read failed: " + std::strerror(err);
      return added;
    }
    if (n == 0) {
      eof = true;
      break;
    }
    eof = false;
    if (regular_file && status.state == FileState::Truncated) status.state = FileState::Growing;
    buf.append(piece.get(), static_cast<std::size_t>(n));
    total += static_cast<std::size_t>(n);
    added += parse();
  }
  settle_end();
  return added;
}


Reader::Reader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Reader::~Reader() = default;

namespace {

void require_header(Reader::Impl& r) {
  if (r.header_done) return;
  if (r.avail() == 0) throw FormatError(0, "empty input: no recording header");
  throw FormatError(r.buf_offset + r.avail(),
                    "the input ends inside the recording header (" + std::to_string(r.avail()) +
                        " bytes)");
}

}  // namespace

std::unique_ptr<Reader> Reader::open_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw FormatError(0, "cannot open " + path + ": " + std::strerror(errno));
  auto impl = std::make_unique<Impl>();
  impl->fd = fd;
  impl->own_fd = true;
  struct stat st {};
  impl->regular_file = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (!impl->regular_file) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  while (!impl->eof && !impl->finished()) impl->pump(std::chrono::milliseconds(impl->regular_file ? 0 : 10000));
  require_header(*impl);
  return std::unique_ptr<Reader>(new Reader(std::move(impl)));
}

std::unique_ptr<Reader> Reader::open_fd(int fd, std::chrono::milliseconds header_wait) {
  auto impl = std::make_unique<Impl>();
  impl->fd = fd;
  struct stat st {};
  impl->regular_file = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  const auto deadline = std::chrono::steady_clock::now() + header_wait;
  // At least one read, then until the header is whole, the input ends or the wait is over.
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    impl->pump(std::max(left, std::chrono::milliseconds(0)));
    if (impl->header_done || impl->eof || left.count() <= 0) break;
  }
  if (!impl->header_done && !impl->eof)
    throw FormatError(impl->avail(), "no recording header arrived within " +
                                            std::to_string(header_wait.count()) + " ms");
  require_header(*impl);
  return std::unique_ptr<Reader>(new Reader(std::move(impl)));
}

std::unique_ptr<Reader> Reader::open_bytes(std::string bytes) {
  auto impl = std::make_unique<Impl>();
  impl->buf = std::move(bytes);
  impl->eof = true;
  impl->parse();
  require_header(*impl);
  impl->settle_end();
  return std::unique_ptr<Reader>(new Reader(std::move(impl)));
}

std::size_t Reader::pump(std::chrono::milliseconds wait) { return impl_->pump(wait); }

bool Reader::at_end() const noexcept {
  return impl_->finished() || impl_->eof || impl_->fd < 0;
}

const RecordingInfo& Reader::info() const noexcept { return impl_->info; }
const ReaderStatus& Reader::status() const noexcept { return impl_->status; }
const std::vector<ChunkInfo>& Reader::chunks() const noexcept { return impl_->chunks; }

}  // namespace shmrecord
