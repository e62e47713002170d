// The recording writer: file header once, then one chunk per kind whenever that kind's
// pending items reach the target size or flush() is called (docs/RECORDING.md).
#include "shmrecord/writer.hpp"

#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <cerrno>
#include <cstring>

#include "little_endian.hpp"
#include "shmipc/error.hpp"

namespace shmrecord {

namespace {

using detail::put_le;
using detail::store_le;

constexpr std::size_t kJournalItemBytes = 8 + sizeof(shmipc::JournalRecord);
// On a little-endian host a JournalRecord in memory is byte for byte its encoding in a file
// (the block's layout pins the offsets): a busy journal is then copied, not re-encoded.
constexpr bool kRecordIsItsEncoding =
    std::endian::native == std::endian::little && sizeof(shmipc::JournalRecord) == 48 &&
    offsetof(shmipc::JournalRecord, preview) == 32;
constexpr std::size_t kChangeHeaderBytes = 16;
constexpr std::size_t kGapBytes = 24;
constexpr std::size_t kEndBytes = 32;
constexpr std::size_t kKinds = 6;

std::uint32_t crc(const char* data, std::size_t size) {
  uLong c = crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths: feed large buffers in pieces.
  while (size > 0) {
    const std::size_t piece = std::min<std::size_t>(size, 1u << 30);
    c = crc32(c, reinterpret_cast<const Bytef*>(data), static_cast<uInt>(piece));
    data += piece;
    size -= piece;
  }
  return static_cast<std::uint32_t>(c);
}

void write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      shmipc::throw_errno("writing the recording", errno);
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

struct Pending {
  std::string raw;
  std::uint32_t count = 0;
  std::uint64_t t_first = 0;
  std::uint64_t t_last = 0;
  void add_time(std::uint64_t t) {
    t_first = count == 0 ? t : std::min(t_first, t);
    t_last = count == 0 ? t : std::max(t_last, t);
    ++count;
  }
};

}  // namespace

// One chunk handed from the recording thread to the writing thread.
struct Job {
  ChunkKind kind = ChunkKind::End;
  std::string raw;
  std::uint32_t count = 0;
  std::uint64_t t_first = 0;
  std::uint64_t t_last = 0;
};

// The recording thread only appends items to per-kind buffers; a chunk's compression (about a
// millisecond for 256 KiB) and its write happen on a thread of the writer's own, so a recorder
// following a busy ring is never held up for that long. The queue is bounded: past
// kMaxQueuedBytes the recording thread waits (and the ring may then overflow, which it counts).
constexpr std::size_t kMaxQueuedBytes = 64u << 20;

struct Writer::Impl {
  int fd = -1;
  RecordingInfo info;
  WriterOptions options;
  WriterStats counts;  // items, counted by the recording thread
  Pending pending[kKinds];
  std::uint64_t last_seq = 0;
  bool any_seq = false;
  bool finished = false;

  // Shared with the writing thread.
  std::mutex mutex;
  std::condition_variable work_ready, space_free;
  std::deque<Job> queue;
  std::size_t queued_bytes = 0;
  bool closing = false;
  std::exception_ptr error;
  WriterStats written;  // chunks, bytes: counted by the writing thread
  std::thread worker;

  // The writing thread's own.
  ZSTD_CCtx* cctx = nullptr;
  std::string out;  // a chunk's frame + payload, reused

  ~Impl() {
    if (cctx) ZSTD_freeCCtx(cctx);
  }

  void encode_and_write(const Job& job) {
    std::uint8_t flags = 0;
    const std::size_t bound = ZSTD_compressBound(job.raw.size());
    out.resize(kFrameBytes + bound);
    const std::size_t z = ZSTD_compressCCtx(cctx, out.data() + kFrameBytes, bound, job.raw.data(),
                                            job.raw.size(), options.zstd_level);
    if (!ZSTD_isError(z) && z < job.raw.size()) {
      flags = kFrameFlagZstd;
      out.resize(kFrameBytes + z);
    } else {  // incompressible (or zstd failed): stored as is, which the format allows
      out.resize(kFrameBytes);
      out.append(job.raw);
    }
    const std::size_t stored = out.size() - kFrameBytes;
    char* f = out.data();
    f[0] = static_cast<char>(kFrameSync[0]);
    f[1] = static_cast<char>(kFrameSync[1]);
    f[2] = static_cast<char>(job.kind);
    f[3] = static_cast<char>(flags);
    store_le<std::uint32_t>(f + 4, static_cast<std::uint32_t>(stored));
    store_le<std::uint32_t>(f + 8, static_cast<std::uint32_t>(job.raw.size()));
    store_le<std::uint32_t>(f + 12, job.count);
    store_le<std::uint64_t>(f + 16, job.t_first);
    store_le<std::uint64_t>(f + 24, job.t_last);
    store_le<std::uint32_t>(f + 32, crc(out.data() + kFrameBytes, stored));
    store_le<std::uint32_t>(f + 36, crc(out.data(), 36));
    write_all(fd, out.data(), out.size());
  }

  void work() {
    std::unique_lock lock(mutex);
    while (true) {
      work_ready.wait(lock, [this] { return !queue.empty() || closing; });
      if (queue.empty()) return;  // closing, and everything is written
      Job job = std::move(queue.front());
      queue.pop_front();
      lock.unlock();
      std::exception_ptr failed;
      try {
        if (!error) encode_and_write(job);
      } catch (...) {
        failed = std::current_exception();
      }
      lock.lock();
      queued_bytes -= job.raw.size();
      if (failed && !error) error = failed;
      if (!failed && !error) {
        written.chunks += 1;
        written.bytes_written += out.size();
        written.raw_bytes += job.raw.size();
      }
      space_free.notify_all();
    }
  }

  // A failed write (disk full, reader gone) surfaces at the next call of the recording thread.
  void rethrow_locked() {
    if (error) std::rethrow_exception(error);
  }

  void write_chunk(ChunkKind kind, Pending& p) {
    if (p.count == 0) return;
    Job job{kind, std::move(p.raw), p.count, p.t_first, p.t_last};
    p.raw = std::string();
    p.raw.reserve(options.chunk_target_bytes + 64);
    p.count = 0;
    std::unique_lock lock(mutex);
    space_free.wait(lock, [this] { return queued_bytes <= kMaxQueuedBytes || error; });
    rethrow_locked();
    queued_bytes += job.raw.size();
    queue.push_back(std::move(job));
    work_ready.notify_one();
  }

  void maybe_write(ChunkKind kind) {
    Pending& p = pending[static_cast<std::size_t>(kind)];
    if (p.raw.size() >= options.chunk_target_bytes) write_chunk(kind, p);
  }

  void flush_all() {
    for (ChunkKind k : {ChunkKind::Journal, ChunkKind::Gap, ChunkKind::BlockChange})
      write_chunk(k, pending[static_cast<std::size_t>(k)]);
  }

  // Waits until everything queued is written; rethrows a write's failure.
  void drain() {
    {
      std::lock_guard lock(mutex);
      closing = true;
      work_ready.notify_one();
    }
    if (worker.joinable()) worker.join();
    std::lock_guard lock(mutex);
    rethrow_locked();
  }

  void check_open() const {
    if (finished)
      throw shmipc::Error(shmipc::ErrorCode::Usage, "recording already finished");
  }
};

Writer::Writer(int fd, const RecordingInfo& info, const WriterOptions& options)
    : impl_(std::make_unique<Impl>()) {
  Impl& w = *impl_;
  w.fd = fd;
  w.info = info;
  w.info.format_version = kFormatVersion;
  w.info.session.resize(std::min(w.info.session.size(), kMaxSessionBytes));
  w.info.host.resize(std::min(w.info.host.size(), kMaxHostBytes));
  w.options = options;
  w.options.chunk_target_bytes =
      std::clamp<std::size_t>(options.chunk_target_bytes, 4096, kMaxChunkRawBytes / 2);
  if (info.block_size == 0 || info.block_size > kMaxBlockBytes)
    throw shmipc::Error(shmipc::ErrorCode::Usage, "block size out of range for a recording");
  w.cctx = ZSTD_createCCtx();
  if (w.cctx == nullptr) throw shmipc::Error(shmipc::ErrorCode::System, "ZSTD_createCCtx failed");

  std::string h(reinterpret_cast<const char*>(kFileMagic.data()), kFileMagic.size());
  const std::size_t total = 44 + w.info.session.size() + w.info.host.size() + 4;
  put_le<std::uint16_t>(h, kFormatVersion);
  put_le<std::uint16_t>(h, static_cast<std::uint16_t>(total));
  put_le<std::uint32_t>(h, w.info.block_size);
  put_le<std::uint32_t>(h, w.info.layout_version);
  put_le<std::uint32_t>(h, 0);  // flags: none defined in version 1
  put_le<std::uint64_t>(h, w.info.start_realtime_ns);
  put_le<std::uint64_t>(h, w.info.start_monotonic_ns);
  put_le<std::uint16_t>(h, static_cast<std::uint16_t>(w.info.session.size()));
  put_le<std::uint16_t>(h, static_cast<std::uint16_t>(w.info.host.size()));
  h += w.info.session;
  h += w.info.host;
  put_le<std::uint32_t>(h, crc(h.data(), h.size()));
  write_all(fd, h.data(), h.size());
  w.written.bytes_written += h.size();
  w.worker = std::thread([&w] { w.work(); });
}

Writer::~Writer() {
  if (!impl_) return;
  try {
    impl_->drain();
  } catch (...) {  // a destructor reports nothing; finish() is where failures are seen
  }
}

void Writer::full_block(std::uint64_t t_ns, std::span<const std::byte> block) {
  Impl& w = *impl_;
  w.check_open();
  if (block.size() != w.info.block_size)
    throw shmipc::Error(shmipc::ErrorCode::Usage, "a full copy must be the header's block size");
  w.flush_all();
  Pending& p = w.pending[static_cast<std::size_t>(ChunkKind::FullBlock)];
  p.raw.assign(reinterpret_cast<const char*>(block.data()), block.size());
  p.add_time(t_ns);
  w.write_chunk(ChunkKind::FullBlock, p);
  w.counts.full_blocks += 1;
}

void Writer::block_change(std::uint64_t t_ns, std::uint32_t offset,
                          std::span<const std::byte> bytes) {
  Impl& w = *impl_;
  w.check_open();
  if (offset > w.info.block_size || bytes.size() > w.info.block_size - offset)
    throw shmipc::Error(shmipc::ErrorCode::Usage, "a block change must lie inside the block");
  Pending& p = w.pending[static_cast<std::size_t>(ChunkKind::BlockChange)];
  put_le<std::uint64_t>(p.raw, t_ns);
  put_le<std::uint32_t>(p.raw, offset);
  put_le<std::uint32_t>(p.raw, static_cast<std::uint32_t>(bytes.size()));
  p.raw.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  p.add_time(t_ns);
  w.counts.changes += 1;
  w.maybe_write(ChunkKind::BlockChange);
}

void Writer::journal(std::span<const shmipc::JournalItem> items) {
  Impl& w = *impl_;
  w.check_open();
  Pending& p = w.pending[static_cast<std::size_t>(ChunkKind::Journal)];
  for (const auto& item : items) {
    if (w.any_seq && item.seq <= w.last_seq)
      throw shmipc::Error(shmipc::ErrorCode::Usage,
                          "journal sequence numbers must increase (" + std::to_string(item.seq) +
                              " after " + std::to_string(w.last_seq) + ")");
    w.last_seq = item.seq;
    w.any_seq = true;
    put_le<std::uint64_t>(p.raw, item.seq);
    const auto& r = item.record;
    if constexpr (kRecordIsItsEncoding) {
      p.raw.append(reinterpret_cast<const char*>(&r), sizeof r);
    } else {
      put_le<std::uint64_t>(p.raw, r.t_ns);
      put_le<std::uint32_t>(p.raw, r.pid);
      put_le<std::uint32_t>(p.raw, r.tid);
      put_le<std::uint16_t>(p.raw, r.kind);
      put_le<std::uint8_t>(p.raw, r.role);
      put_le<std::uint8_t>(p.raw, r.flags);
      put_le<std::uint32_t>(p.raw, r.arg);
      put_le<std::uint64_t>(p.raw, r.value);
      p.raw.append(r.preview, shmipc::kPreviewBytes);
    }
    p.add_time(r.t_ns);
    w.counts.records += 1;
    // A chunk boundary may fall anywhere between two records.
    if (p.raw.size() + kJournalItemBytes > w.options.chunk_target_bytes)
      w.write_chunk(ChunkKind::Journal, p);
  }
}

void Writer::gap(std::uint64_t t_ns, std::uint64_t first_seq, std::uint64_t count) {
  Impl& w = *impl_;
  w.check_open();
  if (count == 0) return;
  Pending& p = w.pending[static_cast<std::size_t>(ChunkKind::Gap)];
  put_le<std::uint64_t>(p.raw, t_ns);
  put_le<std::uint64_t>(p.raw, first_seq);
  put_le<std::uint64_t>(p.raw, count);
  p.add_time(t_ns);
  w.counts.lost += count;
  // Later records continue after the gap.
  if (!w.any_seq || first_seq + count - 1 > w.last_seq) {
    w.last_seq = first_seq + count - 1;
    w.any_seq = true;
  }
  w.maybe_write(ChunkKind::Gap);
}

void Writer::flush() {
  Impl& w = *impl_;
  if (w.finished) return;
  w.flush_all();
}

void Writer::finish(std::uint64_t t_ns, EndReason reason) {
  Impl& w = *impl_;
  if (w.finished) return;
  w.flush_all();
  Pending& p = w.pending[static_cast<std::size_t>(ChunkKind::End)];
  put_le<std::uint64_t>(p.raw, t_ns);
  put_le<std::uint32_t>(p.raw, static_cast<std::uint32_t>(reason));
  put_le<std::uint32_t>(p.raw, 0);
  put_le<std::uint64_t>(p.raw, w.counts.records);
  put_le<std::uint64_t>(p.raw, w.counts.lost);
  p.add_time(t_ns);
  w.write_chunk(ChunkKind::End, p);
  w.finished = true;
  w.drain();
}

WriterStats Writer::stats() const {
  Impl& w = *impl_;
  WriterStats s = w.counts;
  std::lock_guard lock(w.mutex);
  s.chunks = w.written.chunks;
  s.bytes_written = w.written.bytes_written;
  s.raw_bytes = w.written.raw_bytes;
  return s;
}
const RecordingInfo& Writer::info() const noexcept { return impl_->info; }

static_assert(kJournalItemBytes == 56 && kChangeHeaderBytes == 16 && kGapBytes == 24 &&
              kEndBytes == 32);

}  // namespace shmrecord
