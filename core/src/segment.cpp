#include "segment.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "segment_guard.hpp"
#include "shmipc/error.hpp"
#include "shmipc/session_name.hpp"

namespace shmipc::detail {

namespace bip = boost::interprocess;

namespace {

// Boost wants the name without the leading slash (it adds one).
std::string boost_name(const std::string& session) {
  return segment_name(session).substr(1);
}

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

[[noreturn]] void rethrow(const std::string& what, const bip::interprocess_exception& e) {
  int native = e.get_native_error();
  if (native != 0) throw_errno(what, native);
  throw Error(ErrorCode::System, what + ": " + e.what());
}

}  // namespace

Segment::Segment(std::string session, bip::shared_memory_object shm)
    : session_(std::move(session)), shm_(std::move(shm)) {}

Segment::~Segment() {
  unmap();
}

std::optional<Segment> Segment::create_exclusive(const std::string& session) {
  try {
    bip::permissions owner_only(0600);
    bip::shared_memory_object shm(bip::create_only, boost_name(session).c_str(), bip::read_write,
                                  owner_only);
    return Segment(session, std::move(shm));
  } catch (const bip::interprocess_exception& e) {
    if (e.get_error_code() == bip::already_exists_error) return std::nullopt;
    rethrow("creating shared memory " + segment_name(session), e);
  }
}

std::optional<Segment> Segment::open_existing(const std::string& session, SegmentAccess access) {
  try {
    bip::shared_memory_object shm(
        bip::open_only, boost_name(session).c_str(),
        access == SegmentAccess::ReadWrite ? bip::read_write : bip::read_only);
    return Segment(session, std::move(shm));
  } catch (const bip::interprocess_exception& e) {
    if (e.get_error_code() == bip::not_found_error) return std::nullopt;
    if (e.get_native_error() == EACCES) {
      throw Error(ErrorCode::Untrusted, "segment /dev/shm/shmscope." + session +
                                            " cannot be opened: permission denied (not ours)");
    }
    rethrow("opening shared memory " + segment_name(session), e);
  }
}

int Segment::fd() const noexcept {
  return shm_.get_mapping_handle().handle;
}

std::string Segment::path() const {
  return "/dev/shm/shmscope." + session_;
}

struct stat Segment::status() const {
  struct stat st {};
  if (::fstat(fd(), &st) != 0) throw_errno("fstat " + path(), errno);
  return st;
}

std::optional<std::string> Segment::trust_problem(bool allow_empty) const {
  struct stat st = status();
  const std::string what = "segment " + path();
  if (st.st_uid != ::geteuid()) {
    return what + " is owned by uid " + std::to_string(st.st_uid) + "; expected uid " +
           std::to_string(::geteuid()) + " (ours)";
  }
  if ((st.st_mode & 0077) != 0) {
    return what + " has mode " + octal_mode(st.st_mode) + "; expected 0600 (no group/other access)";
  }
  auto size = static_cast<std::size_t>(st.st_size);
  if (size != sizeof(Block) && !(allow_empty && size == 0)) {
    return what + " has size " + std::to_string(size) + " bytes; expected exactly " +
           std::to_string(sizeof(Block)) + " (layout version " + std::to_string(kLayoutVersion) +
           ")";
  }
  return std::nullopt;
}

bool Segment::name_still_names_this() const {
  struct stat by_name {};
  if (::stat(path().c_str(), &by_name) != 0) return false;
  struct stat ours = status();
  return by_name.st_dev == ours.st_dev && by_name.st_ino == ours.st_ino;
}

std::optional<std::string> Segment::tampering(bool removal_counts) const {
  struct stat ours {};
  if (::fstat(fd(), &ours) != 0) throw_errno("fstat " + path(), errno);
  const auto size = static_cast<std::size_t>(ours.st_size);
  if (size != sizeof(Block)) {
    return "the segment " + path() + " was " + (size < sizeof(Block) ? "shrunk" : "grown") +
           " by another process: it is now " + std::to_string(size) + " bytes; the block is " +
           std::to_string(sizeof(Block)) + " bytes";
  }
  struct stat by_name {};
  if (::stat(path().c_str(), &by_name) != 0) {
    if (errno != ENOENT) throw_errno("stat " + path(), errno);
    if (!removal_counts) return std::nullopt;
    return "the segment " + path() +
           " was removed by another process while in use (nobody can join this session now)";
  }
  if (by_name.st_dev != ours.st_dev || by_name.st_ino != ours.st_ino) {
    return "the segment " + path() +
           " was replaced by another process: the name now names a different object (inode " +
           std::to_string(by_name.st_ino) + "; ours is " + std::to_string(ours.st_ino) +
           "), which this process will not switch to";
  }
  return std::nullopt;
}

void Segment::resize_to_block() {
  if (::ftruncate(fd(), static_cast<off_t>(sizeof(Block))) != 0) {
    throw_errno("ftruncate " + path(), errno);
  }
}

Block& Segment::map() {
  if (!mapped_) {
    try {
      region_ = bip::mapped_region(shm_, bip::read_write, 0, sizeof(Block));
    } catch (const bip::interprocess_exception& e) {
      rethrow("mapping " + path(), e);
    }
    mapped_ = true;
    guard_mapping(region_.get_address(), sizeof(Block), fd(), path());
  }
  return *block();
}

void Segment::unmap() noexcept {
  if (mapped_) {
    unguard_mapping(region_.get_address());
    region_ = bip::mapped_region();
    mapped_ = false;
  }
}

std::size_t Segment::read_at(void* dst, std::size_t size, std::size_t offset) const {
  std::size_t done = 0;
  auto* out = static_cast<char*>(dst);
  while (done < size) {
    ssize_t n = ::pread(fd(), out + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("pread " + path(), errno);
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

void Segment::unlink_name() const noexcept {
  ::shm_unlink(segment_name(session_).c_str());
}

std::optional<std::string> header_problem(const std::string& path, const HeaderFields& header) {
  const std::string what = "block in " + path;
  if (header.magic != kBlockMagic) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(header.magic));
    return what + " has magic " + buf + "; expected 0x45504f43534d4853 (\"SHMSCOPE\")";
  }
  if (header.layout_version != kLayoutVersion) {
    return what + " has layout version " + std::to_string(header.layout_version) +
           "; this program understands version " + std::to_string(kLayoutVersion);
  }
  if (header.block_size != sizeof(Block)) {
    return what + " says its size is " + std::to_string(header.block_size) + " bytes; expected " +
           std::to_string(sizeof(Block));
  }
  return std::nullopt;
}

std::optional<HeaderFields> read_header(const Segment& segment) {
  unsigned char raw[sizeof(BlockHeader)];
  if (segment.read_at(raw, sizeof raw, 0) != sizeof raw) return std::nullopt;
  HeaderFields h;
  std::memcpy(&h.magic, raw + offsetof(BlockHeader, magic), 8);
  std::memcpy(&h.layout_version, raw + offsetof(BlockHeader, layout_version), 4);
  std::memcpy(&h.block_size, raw + offsetof(BlockHeader, block_size), 4);
  std::memcpy(&h.creator_uid, raw + offsetof(BlockHeader, creator_uid), 4);
  std::memcpy(&h.creator_pid, raw + offsetof(BlockHeader, creator_pid), 4);
  std::memcpy(&h.init_state, raw + offsetof(BlockHeader, init_state), 4);
  std::memcpy(&h.session_epoch, raw + offsetof(BlockHeader, session_epoch), 4);
  return h;
}

}  // namespace shmipc::detail
