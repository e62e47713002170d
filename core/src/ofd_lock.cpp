#include "ofd_lock.hpp"

#include <fcntl.h>

#include <cerrno>
#include <thread>

#include "shmipc/error.hpp"

namespace shmipc::detail {

namespace {

struct flock range(LockByte byte, short type) {
  struct flock fl {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = static_cast<off_t>(byte);
  fl.l_len = 1;
  fl.l_pid = 0;  // required by F_OFD_*
  return fl;
}

short lock_type(LockKind kind) {
  return kind == LockKind::Write ? F_WRLCK : F_RDLCK;
}

}  // namespace

bool ofd_try_lock(int fd, LockByte byte, LockKind kind) {
  struct flock fl = range(byte, lock_type(kind));
  for (;;) {
    if (::fcntl(fd, F_OFD_SETLK, &fl) == 0) return true;
    int err = errno;
    if (err == EINTR) continue;
    if (err == EAGAIN || err == EACCES) return false;
    throw_errno("fcntl(F_OFD_SETLK) on byte " + std::to_string(static_cast<int>(byte)), err);
  }
}

bool ofd_lock_until(int fd, LockByte byte, LockKind kind, Deadline deadline) {
  auto pause = std::chrono::microseconds(200);
  for (;;) {
    if (ofd_try_lock(fd, byte, kind)) return true;
    if (deadline && std::chrono::steady_clock::now() >= *deadline) return false;
    std::this_thread::sleep_for(pause);
    if (pause < std::chrono::milliseconds(5)) pause *= 2;
  }
}

void ofd_unlock(int fd, LockByte byte) noexcept {
  struct flock fl = range(byte, F_UNLCK);
  while (::fcntl(fd, F_OFD_SETLK, &fl) != 0 && errno == EINTR) {
  }
}

bool ofd_conflict_exists(int fd, LockByte byte, LockKind kind) {
  struct flock fl = range(byte, lock_type(kind));
  for (;;) {
    if (::fcntl(fd, F_OFD_GETLK, &fl) == 0) return fl.l_type != F_UNLCK;
    int err = errno;
    if (err == EINTR) continue;
    throw_errno("fcntl(F_OFD_GETLK) on byte " + std::to_string(static_cast<int>(byte)), err);
  }
}

}  // namespace shmipc::detail
