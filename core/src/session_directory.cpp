// The sessions on this machine, as `shmipc status`, `shmipc clean` and the monitor's picker see
// them: every /dev/shm/shmscope.* object, opened read-only and judged without trusting it.
#include <dirent.h>

#include <memory>
#include <string_view>

#include "ofd_lock.hpp"
#include "segment.hpp"
#include "shmipc/error.hpp"
#include "shmipc/session.hpp"
#include "shmipc/session_name.hpp"

namespace shmipc {

using detail::LockByte;
using detail::LockKind;
using detail::Segment;

namespace {

constexpr std::string_view kPrefix = "shmscope.";

SessionInfo describe(const std::string& name) {
  SessionInfo info;
  info.name = name;
  if (auto problem = session_name_problem(name)) {
    info.foreign = true;
    info.problem = *problem;
    return info;
  }
  try {
    auto seg = Segment::open_existing(name, detail::SegmentAccess::ReadOnly);
    if (!seg) {
      info.problem = "removed while it was being listed";
      info.stale = true;
      return info;
    }
    if (auto problem = seg->trust_problem(/*allow_empty=*/false)) {
      info.foreign = true;
      info.problem = *problem;
      return info;
    }
    int fd = seg->fd();
    info.parent_alive = detail::ofd_conflict_exists(fd, LockByte::Parent, LockKind::Write);
    info.child_alive = detail::ofd_conflict_exists(fd, LockByte::Child, LockKind::Write);
    bool members = detail::ofd_conflict_exists(fd, LockByte::Member, LockKind::Write);
    bool joining = detail::ofd_conflict_exists(fd, LockByte::Init, LockKind::Write);
    info.stale = !members && !joining;
    auto header = detail::read_header(*seg);
    if (!header) {
      info.foreign = true;
      info.problem = "segment " + seg->path() + " is shorter than a block header";
    } else if (!header->ready()) {
      info.problem = joining
                         ? "being set up"
                         : "never finished set-up (its creator died); `shmipc clean` removes it";
    } else if (auto problem = detail::header_problem(seg->path(), *header)) {
      info.foreign = true;
      info.problem = *problem;
    }
  } catch (const Error& e) {
    info.foreign = true;
    info.problem = e.what();
  }
  return info;
}

}  // namespace

std::vector<SessionInfo> list_sessions() {
  std::vector<SessionInfo> found;
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir("/dev/shm"), ::closedir);
  if (!dir) return found;
  while (dirent* entry = ::readdir(dir.get())) {
    std::string_view file = entry->d_name;
    if (file.size() <= kPrefix.size() || file.substr(0, kPrefix.size()) != kPrefix) continue;
    found.push_back(describe(std::string(file.substr(kPrefix.size()))));
  }
  return found;
}

bool remove_stale_session(const std::string& name) {
  validate_session_name(name);
  auto seg = Segment::open_existing(name, detail::SegmentAccess::ReadWrite);
  if (!seg) {
    throw Error(ErrorCode::NotFound,
                "no session \"" + name + "\" (/dev/shm/shmscope." + name + " does not exist)");
  }
  int fd = seg->fd();
  // The init write lock keeps joiners out while we decide; a joiner already inside holds it.
  if (!detail::ofd_try_lock(fd, LockByte::Init, LockKind::Write)) return false;
  bool in_use = detail::ofd_conflict_exists(fd, LockByte::Member, LockKind::Write);
  if (!in_use && seg->name_still_names_this()) seg->unlink_name();
  detail::ofd_unlock(fd, LockByte::Init);
  return !in_use;
}

}  // namespace shmipc
