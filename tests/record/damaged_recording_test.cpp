// A recording is untrusted input. A real recording cut at every byte offset of its last chunks
// opens up to its last complete chunk and says where it was cut; a flipped byte is reported
// with the offset of its chunk; a hostile frame is refused before anything is allocated.
#include <doctest/doctest.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <set>
#include <thread>

#include "recording_helpers.hpp"
#include "shmrecord/reader.hpp"

using namespace std::chrono_literals;
using rectest::cli;

namespace {

std::uint32_t crc(const std::string& s, std::size_t from, std::size_t n) {
  return static_cast<std::uint32_t>(
      crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(s.data() + from), static_cast<uInt>(n)));
}

void put32(std::string& s, std::size_t at, std::uint32_t v) { std::memcpy(s.data() + at, &v, 4); }

// A frame with valid checksums around whatever sizes a hostile writer chose.
std::string frame(std::uint8_t kind, std::uint8_t flags, const std::string& stored, std::uint32_t raw,
                  std::uint32_t count, std::uint64_t t) {
  std::string f(40, '\0');
  f[0] = 'C';
  f[1] = 'K';
  f[2] = static_cast<char>(kind);
  f[3] = static_cast<char>(flags);
  put32(f, 4, static_cast<std::uint32_t>(stored.size()));
  put32(f, 8, raw);
  put32(f, 12, count);
  std::memcpy(f.data() + 16, &t, 8);
  std::memcpy(f.data() + 24, &t, 8);
  put32(f, 32, crc(stored, 0, stored.size()));
  put32(f, 36, crc(f, 0, 36));
  return f + stored;
}

std::size_t header_size(const std::string& file) {
  std::uint16_t n = 0;
  std::memcpy(&n, file.data() + 10, 2);
  return n;
}

}  // namespace

TEST_CASE("a real recording opens complete, with chunks of every kind") {
  const std::string& file = rectest::real_recording();
  auto reader = shmrecord::Reader::open_bytes(file);
  REQUIRE(reader->status().state == shmrecord::FileState::Complete);
  CHECK(reader->status().problem.empty());
  std::set<shmrecord::ChunkKind> kinds;
  for (const auto& c : reader->chunks()) kinds.insert(c.kind);
  CHECK(kinds.count(shmrecord::ChunkKind::FullBlock) == 1);
  CHECK(kinds.count(shmrecord::ChunkKind::BlockChange) == 1);
  CHECK(kinds.count(shmrecord::ChunkKind::Journal) == 1);
  CHECK(kinds.count(shmrecord::ChunkKind::End) == 1);
  CHECK(reader->full_block_times().size() >= 3);
  CHECK(reader->status().good_bytes == file.size());
}

TEST_CASE("a recording cut at every byte offset of its last chunks opens up to its last complete chunk and says where it was cut") {
  const std::string& file = rectest::real_recording();
  auto whole = shmrecord::Reader::open_bytes(file);
  const auto& chunks = whole->chunks();
  REQUIRE(chunks.size() >= 6);
  const std::size_t first_cut = chunks[chunks.size() - 4].offset;
  for (std::size_t cut = first_cut; cut < file.size(); ++cut) {
    CAPTURE(cut);
    auto reader = shmrecord::Reader::open_bytes(file.substr(0, cut));
    const auto& st = reader->status();
    REQUIRE(st.state == shmrecord::FileState::Truncated);
    // Complete chunks are those that end at or before the cut.
    std::size_t complete = 0;
    std::uint64_t good = header_size(file);
    for (const auto& c : chunks) {
      const std::uint64_t end = c.offset + 40 + c.stored_bytes;
      if (end > cut) break;
      ++complete;
      good = end;
    }
    REQUIRE(reader->chunks().size() == complete);
    REQUIRE(st.good_bytes == good);
    REQUIRE(st.problem_offset == good);
    const std::string expected = "truncated after chunk " + std::to_string(complete) + " at offset " +
                                 std::to_string(good) + ": ";
    REQUIRE(st.problem.rfind(expected, 0) == 0);
    // What is there is usable: the block and the journal up to the cut.
    REQUIRE(reader->block_at(reader->end_ns()).has_value());
    REQUIRE(reader->journal_records() <= whole->journal_records());
  }
  auto at_boundary = shmrecord::Reader::open_bytes(file.substr(0, chunks.back().offset));
  CHECK(at_boundary->status().problem.find("no end marker") != std::string::npos);
  auto mid_frame = shmrecord::Reader::open_bytes(file.substr(0, chunks.back().offset + 10));
  CHECK(mid_frame->status().problem.find("frame is cut short (10 of 40 bytes)") != std::string::npos);
}

TEST_CASE("a corrupted chunk is reported with its offset and everything before it is kept") {
  const std::string& file = rectest::real_recording();
  auto whole = shmrecord::Reader::open_bytes(file);
  const auto& chunks = whole->chunks();
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    const auto& c = chunks[i];
    CAPTURE(i);
    const std::string where = "at offset " + std::to_string(c.offset) + ":";
    std::string payload_hit = file;
    payload_hit[c.offset + 40 + c.stored_bytes / 2] ^= 0x20;
    auto a = shmrecord::Reader::open_bytes(payload_hit);
    REQUIRE(a->status().state == shmrecord::FileState::Corrupt);
    CHECK(a->status().problem_offset == c.offset);
    CHECK(a->status().problem.find(where) != std::string::npos);
    CHECK(a->status().problem.find("payload checksum mismatch") != std::string::npos);
    CHECK(a->chunks().size() == i);

    std::string frame_hit = file;
    frame_hit[c.offset + 5] ^= 0x01;  // its stored length
    auto b = shmrecord::Reader::open_bytes(frame_hit);
    REQUIRE(b->status().state == shmrecord::FileState::Corrupt);
    CHECK(b->status().problem.find(where + " frame checksum mismatch") != std::string::npos);
    CHECK(b->chunks().size() == i);
  }
}

TEST_CASE("a file that is not a recording, or of another version, is refused naming the offset") {
  const std::string& file = rectest::real_recording();
  const auto refused = [](const std::string& bytes) -> std::string {
    try {
      shmrecord::Reader::open_bytes(bytes);
    } catch (const shmrecord::FormatError& e) {
      return e.what();
    }
    return "opened";
  };
  CHECK(refused("") == "offset 0: empty input: no recording header");
  CHECK(refused("{\"traceEvents\": []}").rfind("offset 0: not a shmscope recording", 0) == 0);
  std::string v2 = file;
  v2[8] = 2;
  CHECK(refused(v2) == "offset 8: format version 2 is not supported (this reader reads version 1)");
  std::string bad_header = file;
  bad_header[30] ^= 1;  // inside the start time, under the header checksum
  CHECK(refused(bad_header).find("header checksum mismatch") != std::string::npos);
  CHECK(refused(file.substr(0, 20)).find("ends inside the recording header") != std::string::npos);
}

TEST_CASE("hostile chunk frames are refused by their stated sizes, before anything is allocated") {
  const std::string& file = rectest::real_recording();
  const std::string header = file.substr(0, header_size(file));
  const auto verdict = [&](const std::string& chunk) {
    auto r = shmrecord::Reader::open_bytes(header + chunk);
    CHECK(r->status().state == shmrecord::FileState::Corrupt);
    CHECK(r->status().problem_offset == header.size());
    return r->status().problem;
  };
  CHECK(verdict(frame(3, 1, "x", 0xFFFFFFFFu, 1, 5)).find("exceed the format's limits") != std::string::npos);
  CHECK(verdict(frame(9, 0, "x", 1, 1, 5)).find("unknown chunk kind 9") != std::string::npos);
  // A zstd frame that inflates far beyond what its chunk frame says.
  const std::string zeros(1 << 20, '\0');
  std::string bomb(ZSTD_compressBound(zeros.size()), '\0');
  bomb.resize(ZSTD_compress(bomb.data(), bomb.size(), zeros.data(), zeros.size(), 1));
  CHECK(verdict(frame(3, 1, bomb, 56, 1, 5)).find("does not state its size as 56 bytes") != std::string::npos);
  // A journal chunk whose records go backwards.
  std::string two(112, '\0');
  std::uint64_t seq = 7;
  std::memcpy(two.data(), &seq, 8);
  seq = 3;
  std::memcpy(two.data() + 56, &seq, 8);
  CHECK(verdict(frame(3, 0, two, 112, 2, 0)).find("sequence 3, not after 7") != std::string::npos);
  // A change outside the block.
  std::string change(16 + 4, '\0');
  const std::uint32_t off = 0xFFFFFFF0u, len = 4;
  std::memcpy(change.data() + 8, &off, 4);
  std::memcpy(change.data() + 12, &len, 4);
  CHECK(verdict(frame(2, 0, change, 20, 1, 0)).find("outside the block") != std::string::npos);
}
