// A segment copied with pread, never mapped: a segment that shrinks while we read it gives a
// short read instead of SIGBUS. Each read re-checks the path and fstat so that resizing,
// recreation (new inode) and removal are reported in the sample.
#include "shminspect/segment_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>

#include "shminspect/error.hpp"
#include "shminspect/segments.hpp"
#include "shminspect/watch.hpp"

namespace shminspect {
namespace {

std::uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ull +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

// Copies [offset, offset + size) into out (already sized); bytes past the end stay zero.
void pread_range(int fd, std::uint8_t* out, std::uint64_t offset, std::uint64_t size) {
  std::uint64_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, out + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      break;  // an I/O error reads as a shrunk segment: the bytes stay zero
    }
    if (n == 0) break;  // the segment shrank under us
    done += static_cast<std::uint64_t>(n);
  }
  if (done < size) std::memset(out + done, 0, size - done);
}

std::uint64_t read_counter(int fd, const ByteRange& range) {
  std::uint8_t raw[8] = {};
  const std::uint64_t n = std::min<std::uint64_t>(range.size, 8);
  pread_range(fd, raw, range.offset, n);
  std::uint64_t v = 0;
  for (std::uint64_t i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(raw[i]) << (8 * i);
  return v;
}

}  // namespace

const char* event_name(SegmentEvent event) {
  switch (event) {
    case SegmentEvent::None: return "none";
    case SegmentEvent::Resized: return "resized";
    case SegmentEvent::Recreated: return "recreated";
    case SegmentEvent::Vanished: return "vanished";
    case SegmentEvent::Reappeared: return "reappeared";
  }
  return "?";
}

bool Sample::covers(std::uint64_t offset, std::uint64_t size) const {
  if (offset < base || offset - base > bytes.size() || size > bytes.size() - (offset - base)) {
    return false;
  }
  for (const auto& r : sampled) {
    if (offset >= r.offset && offset + size <= r.offset + r.size) return true;
  }
  return false;
}

std::string shm_path(const std::string& name) {
  std::string n = name;
  if (!n.empty() && n.front() == '/') n.erase(0, 1);
  if (n.empty() || n.find('/') != std::string::npos || n == "." || n == "..") {
    throw InspectError(ErrorKind::NotFound,
                       "'" + name + "' is not a shared memory name (as shm_open takes it: one "
                       "name without '/', read from /dev/shm/NAME)");
  }
  return "/dev/shm/" + n;
}

SegmentReader SegmentReader::open_shm(const std::string& name, ReaderOptions options) {
  return SegmentReader(shm_path(name), std::move(options));
}

SegmentReader SegmentReader::open_file(const std::string& path, ReaderOptions options) {
  return SegmentReader(path, std::move(options));
}

SegmentReader::SegmentReader(std::string path, ReaderOptions options)
    : path_(std::move(path)), options_(std::move(options)) {
  open_path();
}

SegmentReader::SegmentReader(SegmentReader&& other) noexcept
    : path_(std::move(other.path_)),
      options_(std::move(other.options_)),
      fd_(std::exchange(other.fd_, -1)),
      size_(other.size_),
      inode_(other.inode_),
      owner_(other.owner_),
      vanished_(other.vanished_) {}

SegmentReader& SegmentReader::operator=(SegmentReader&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    options_ = std::move(other.options_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
    inode_ = other.inode_;
    owner_ = other.owner_;
    vanished_ = other.vanished_;
  }
  return *this;
}

SegmentReader::~SegmentReader() {
  if (fd_ >= 0) ::close(fd_);
}

void SegmentReader::open_path() {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) {
      std::string message = path_ + ": no such segment or file";
      if (path_.rfind("/dev/shm/", 0) == 0) {
        std::vector<std::string> names;
        try {
          for (const auto& s : list_segments("/dev/shm")) names.push_back(s.name);
        } catch (...) {
        }
        const auto near = close_matches(path_.substr(9), names);
        if (!near.empty()) {
          message += " (close matches:";
          for (const auto& n : near) message += " " + n;
          message += ")";
        }
      }
      throw InspectError(ErrorKind::NotFound, message);
    }
    if (err == EACCES || err == EPERM) {
      std::string message = path_ + ": not readable by this user (" + std::strerror(err) + ")";
      struct stat st {};
      if (::stat(path_.c_str(), &st) == 0) {
        message += "; owner uid " + std::to_string(st.st_uid) + ", mode " +
                   format_mode(st.st_mode);
      }
      throw InspectError(ErrorKind::Permission, message);
    }
    throw InspectError(ErrorKind::System, path_ + ": open: " + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    throw InspectError(ErrorKind::System, path_ + ": fstat: " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw InspectError(ErrorKind::NotFound, path_ + ": not a regular file or segment");
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  size_ = static_cast<std::uint64_t>(st.st_size);
  inode_ = st.st_ino;
  owner_ = st.st_uid;
  vanished_ = false;
}

Sample SegmentReader::read(const std::vector<ByteRange>& ranges) {
  Sample s;
  s.time_ns = now_ns();

  // The path first: has the segment been removed or recreated since the last read?
  struct stat by_path {};
  if (::stat(path_.c_str(), &by_path) != 0) {
    if (!vanished_) {
      s.event = SegmentEvent::Vanished;
      s.message = path_ + " vanished (removed while viewed)";
    } else {
      s.message = path_ + " is gone";
    }
    vanished_ = true;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    size_ = 0;
    return s;
  }
  if (vanished_ || by_path.st_ino != inode_) {
    const bool was_vanished = vanished_;
    const ino_t old_inode = inode_;
    try {
      open_path();
    } catch (const InspectError& e) {
      vanished_ = true;
      s.message = e.what();
      return s;
    }
    s.event = was_vanished ? SegmentEvent::Reappeared : SegmentEvent::Recreated;
    s.message = was_vanished ? path_ + " reappeared: reopened"
                             : path_ + " was recreated (inode " + std::to_string(old_inode) +
                                   " -> " + std::to_string(inode_) + "): reopened";
  }

  struct stat st {};
  if (::fstat(fd_, &st) == 0) {
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (size != size_ && s.event == SegmentEvent::None) {
      s.event = SegmentEvent::Resized;
      s.message = path_ + " resized: " + std::to_string(size_) + " -> " + std::to_string(size) +
                  " bytes";
    }
    size_ = size;
  }
  s.present = true;
  s.segment_size = size_;
  s.inode = inode_;

  // Which bytes to copy.
  std::uint64_t extent = size_;
  if (ranges.empty()) {
    if (options_.whole_read_limit != 0) extent = std::min(extent, options_.whole_read_limit);
    if (extent > 0) s.sampled.push_back({0, extent});
  } else {
    std::uint64_t end = 0;
    for (const auto& r : ranges) {
      if (r.offset >= size_) continue;
      const std::uint64_t size = std::min(r.size, size_ - r.offset);
      if (size == 0) continue;
      s.sampled.push_back({r.offset, size});
      end = std::max(end, r.offset + size);
    }
    extent = end;
  }
  if (options_.window && !ranges.empty() && !s.sampled.empty()) {
    s.base = s.sampled.front().offset;
    for (const auto& r : s.sampled) s.base = std::min(s.base, r.offset);
  }
  extent -= s.base;
  s.bytes.assign(extent, 0);
  s.in_flux.assign(extent, 0);

  auto copy = [&](std::vector<std::uint8_t>& out) {
    for (const auto& r : s.sampled) pread_range(fd_, out.data() + (r.offset - s.base), r.offset, r.size);
  };

  const int attempts = std::max(1, options_.max_attempts);
  if (options_.seqlock) {
    // Seqlock: consistent when the counter was even and unchanged around the copy.
    s.consistent = false;
    for (int i = 1; i <= attempts && !s.consistent; ++i) {
      s.attempts = i;
      const std::uint64_t before = read_counter(fd_, *options_.seqlock);
      copy(s.bytes);
      const std::uint64_t after = read_counter(fd_, *options_.seqlock);
      s.consistent = before == after && (before & 1) == 0;
    }
    return s;
  }

  // Read twice; bytes that differ were being written: re-read, and mark what keeps moving.
  copy(s.bytes);
  std::vector<std::uint8_t> again(extent, 0);
  for (int i = 1; i <= attempts; ++i) {
    s.attempts = i;
    copy(again);
    bool same = true;
    for (const auto& r : s.sampled) {
      if (std::memcmp(s.bytes.data() + (r.offset - s.base), again.data() + (r.offset - s.base), r.size) != 0) {
        same = false;
        break;
      }
    }
    if (same) {
      std::fill(s.in_flux.begin(), s.in_flux.end(), 0);
      s.consistent = true;
      return s;
    }
    for (std::uint64_t b = 0; b < extent; ++b) s.in_flux[b] = s.bytes[b] != again[b] ? 1 : 0;
    s.bytes.swap(again);
  }
  s.consistent = false;
  return s;
}

}  // namespace shminspect
