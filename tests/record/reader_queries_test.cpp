// The reader's queries on a real recording: the block of an instant is the same whichever
// instants were asked before (its cache only saves work), the journal by time range is the
// journal restricted to that range, and a recording written through a slow pipe is read the
// same in pieces as whole.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <random>

#include "recording_helpers.hpp"
#include "shmrecord/reader.hpp"

namespace {

std::vector<std::uint64_t> instants(const shmrecord::Reader& reader) {
  std::vector<std::uint64_t> out;
  const std::uint64_t start = reader.start_ns(), end = reader.end_ns();
  for (int i = 0; i <= 40; ++i) out.push_back(start + (end - start) * static_cast<std::uint64_t>(i) / 40);
  for (const auto& it : reader.journal_all()) {
    out.push_back(it.record.t_ns);
    if (it.record.t_ns > 0) out.push_back(it.record.t_ns - 1);
  }
  for (auto t : reader.full_block_times()) out.push_back(t);
  return out;
}

}  // namespace

TEST_CASE("block_at gives the same bytes whether instants are visited forward, backward, at random or fresh") {
  const std::string& file = rectest::real_recording();
  auto ts = instants(*shmrecord::Reader::open_bytes(file));
  std::sort(ts.begin(), ts.end());
  std::map<std::uint64_t, std::optional<std::vector<std::byte>>> fresh;
  for (auto t : ts) fresh[t] = shmrecord::Reader::open_bytes(file)->block_at(t);

  auto forward = shmrecord::Reader::open_bytes(file);
  for (auto t : ts) REQUIRE(forward->block_at(t) == fresh[t]);
  auto backward = shmrecord::Reader::open_bytes(file);
  for (auto it = ts.rbegin(); it != ts.rend(); ++it) REQUIRE(backward->block_at(*it) == fresh[*it]);
  std::mt19937 rng(7);
  std::shuffle(ts.begin(), ts.end(), rng);
  auto shuffled = shmrecord::Reader::open_bytes(file);
  for (auto t : ts) REQUIRE(shuffled->block_at(t) == fresh[t]);
}

TEST_CASE("the journal of a time range is the whole journal restricted to that range") {
  const std::string& file = rectest::real_recording();
  auto reader = shmrecord::Reader::open_bytes(file);
  const auto all = reader->journal_all();
  REQUIRE(all.size() > 20);
  const std::uint64_t lo = all[5].record.t_ns, hi = all[all.size() - 5].record.t_ns;
  std::vector<std::uint64_t> expected, got;
  for (const auto& it : all)
    if (it.record.t_ns >= lo && it.record.t_ns <= hi) expected.push_back(it.seq);
  for (const auto& it : reader->journal(lo, hi)) got.push_back(it.seq);
  CHECK(got == expected);
  CHECK(reader->journal(reader->end_ns() + 1, UINT64_MAX).empty());
}

TEST_CASE("a recording arriving through a pipe a few bytes at a time is read as the whole file is") {
  const std::string& file = rectest::real_recording();
  auto whole = shmrecord::Reader::open_bytes(file);
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  // The header first (the reader waits for it), then the rest in pieces of 1-700 bytes.
  const std::size_t header = 200;
  REQUIRE(::write(fds[1], file.data(), header) == static_cast<ssize_t>(header));
  auto reader = shmrecord::Reader::open_fd(fds[0], std::chrono::milliseconds(5000));
  std::size_t pumped_chunks = reader->chunks().size();  // any that came with the header
  std::mt19937 rng(11);
  std::size_t at = header;
  while (at < file.size()) {
    const std::size_t n = std::min<std::size_t>(file.size() - at, 1 + rng() % 700);
    REQUIRE(::write(fds[1], file.data() + at, n) == static_cast<ssize_t>(n));
    at += n;
    pumped_chunks += reader->pump();
    // Complete as soon as the end marker is in, before the pipe closes.
    REQUIRE(reader->status().state ==
            (at < file.size() ? shmrecord::FileState::Growing : shmrecord::FileState::Complete));
  }
  ::close(fds[1]);
  pumped_chunks += reader->pump(std::chrono::milliseconds(1000));
  CHECK(reader->at_end());
  CHECK(reader->status().state == shmrecord::FileState::Complete);
  CHECK(pumped_chunks == whole->chunks().size());
  CHECK(reader->journal_records() == whole->journal_records());
  CHECK(reader->block_at(reader->end_ns()) == whole->block_at(whole->end_ns()));
  ::close(fds[0]);
}

TEST_CASE("a stream that stops inside its header is refused after the header wait, naming the offset") {
  const std::string& file = rectest::real_recording();
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  REQUIRE(::write(fds[1], file.data(), 20) == 20);
  try {
    shmrecord::Reader::open_fd(fds[0], std::chrono::milliseconds(200));
    FAIL("a stream without a whole header was opened");
  } catch (const shmrecord::FormatError& e) {
    CHECK(std::string(e.what()) == "offset 20: no recording header arrived within 200 ms");
    CHECK(e.offset() == 20);
  }
  // A stream that is not a recording at all is refused at its first bytes, without waiting.
  int other[2];
  REQUIRE(::pipe(other) == 0);
  REQUIRE(::write(other[1], "GET / HTTP/1.1\r\n", 16) == 16);
  try {
    shmrecord::Reader::open_fd(other[0], std::chrono::milliseconds(60000));
    FAIL("an HTTP request was opened as a recording");
  } catch (const shmrecord::FormatError& e) {
    CHECK(e.offset() == 0);
    CHECK(std::string(e.what()).find("not a shmscope recording") != std::string::npos);
  }
  for (int fd : {fds[0], fds[1], other[0], other[1]}) ::close(fd);
}
