// libFuzzer target: the recording reader (shmrecord::Reader) over any bytes, whole and fed in
// pieces as a stream would bring them, then every query the monitor's replay makes. A file
// that cannot be opened must say why (FormatError), never crash or allocate without bound.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "shmipc/snapshot.hpp"
#include "shmrecord/reader.hpp"

namespace {

void query(const shmrecord::Reader& reader) {
  (void)reader.status();
  (void)reader.duration_ns();
  (void)reader.journal_records();
  (void)reader.lost_records();
  const std::uint64_t start = reader.start_ns();
  const std::uint64_t end = reader.end_ns();
  const std::uint64_t mid = start + (end - start) / 2;
  for (std::uint64_t t : {start, mid, end, std::uint64_t{0}, UINT64_MAX}) {
    if (auto block = reader.block_at(t)) (void)shmipc::decode_snapshot(*block);
  }
  for (std::uint64_t t : reader.full_block_times()) (void)reader.block_at(t);
  (void)reader.journal(start, mid);
  (void)reader.journal_all();
  (void)reader.changes(0, UINT64_MAX);
  (void)reader.seconds_of(mid);
  (void)reader.time_at_seconds(reader.seconds_of(end));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    query(*shmrecord::Reader::open_bytes(bytes));
  } catch (const shmrecord::FormatError&) {
  }
  // The same bytes through a pipe in small pieces: the incremental parser must agree.
  int fds[2];
  if (size <= 60000 && ::pipe(fds) == 0) {
    std::size_t written = 0;
    try {
      // The header first (the reader waits for it), then the rest in uneven pieces.
      written = std::min<std::size_t>(size, 4096);
      if (::write(fds[1], data, written) != static_cast<ssize_t>(written)) written = 0;
      if (written == size) {
        ::close(fds[1]);
        fds[1] = -1;
      }
      auto reader = shmrecord::Reader::open_fd(fds[0], std::chrono::milliseconds(0));
      while (reader && written < size) {
        const std::size_t piece = std::min<std::size_t>(size - written, 13 + written % 97);
        if (::write(fds[1], data + written, piece) != static_cast<ssize_t>(piece)) break;
        written += piece;
        reader->pump();
      }
      if (fds[1] >= 0) {
        ::close(fds[1]);
        fds[1] = -1;
      }
      if (reader) {
        reader->pump();
        query(*reader);
      }
    } catch (const shmrecord::FormatError&) {
    }
    if (fds[1] >= 0) ::close(fds[1]);
    ::close(fds[0]);
  }
  return 0;
}
