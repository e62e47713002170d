// The /dev/shm listing: stat each entry, then one pass over /proc/*/maps to see who maps what.
#include "shminspect/segments.hpp"

#include <dirent.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>

#include "shminspect/error.hpp"

namespace shminspect {
namespace {

std::string user_name(uid_t uid) {
  passwd pw{};
  passwd* result = nullptr;
  char buf[1024];
  if (getpwuid_r(uid, &pw, buf, sizeof buf, &result) == 0 && result != nullptr) return pw.pw_name;
  return std::to_string(uid);
}

std::string read_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

std::string format_mode(mode_t mode) {
  std::string s = "---------";
  const char letters[] = "rwx";
  for (int i = 0; i < 9; ++i) {
    if (mode & (1u << (8 - i))) s[i] = letters[i % 3];
  }
  return s;
}

std::vector<SegmentInfo> list_segments(const std::string& dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) {
    throw InspectError(errno == ENOENT ? ErrorKind::NotFound : ErrorKind::System,
                       dir + ": " + std::strerror(errno));
  }
  std::vector<SegmentInfo> out;
  std::map<std::string, std::size_t> by_path;
  const std::time_t now = std::time(nullptr);
  while (dirent* e = ::readdir(d.get())) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    SegmentInfo info;
    info.name = name;
    info.path = dir + "/" + name;
    struct stat st {};
    if (::lstat(info.path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    info.size = static_cast<std::uint64_t>(st.st_size);
    info.owner_uid = st.st_uid;
    info.owner = user_name(st.st_uid);
    info.mode = st.st_mode & 0777;
    info.age_seconds = static_cast<double>(now - st.st_mtime);
    info.readable = ::access(info.path.c_str(), R_OK) == 0;
    by_path[info.path] = out.size();
    out.push_back(std::move(info));
  }

  // Who maps each one: /proc/PID/maps names the file (with " (deleted)" once unlinked).
  std::unique_ptr<DIR, int (*)(DIR*)> proc(::opendir("/proc"), ::closedir);
  int unreadable = 0;
  if (proc) {
    while (dirent* e = ::readdir(proc.get())) {
      const char* p = e->d_name;
      if (*p < '1' || *p > '9' || std::strspn(p, "0123456789") != std::strlen(p)) continue;
      const std::string base = std::string("/proc/") + p;
      std::ifstream maps(base + "/maps");
      if (!maps) {
        ++unreadable;
        continue;
      }
      std::vector<std::size_t> seen;
      for (std::string line; std::getline(maps, line);) {
        const auto slash = line.find('/');
        if (slash == std::string::npos) continue;
        std::string path = line.substr(slash);
        const auto it = by_path.find(path);
        if (it == by_path.end()) continue;
        if (std::find(seen.begin(), seen.end(), it->second) != seen.end()) continue;
        seen.push_back(it->second);
        out[it->second].mapped_by.push_back(
            {static_cast<pid_t>(std::atoi(p)), read_line(base + "/comm")});
      }
    }
  }
  for (auto& s : out) s.unreadable_processes = unreadable;
  std::sort(out.begin(), out.end(),
            [](const SegmentInfo& a, const SegmentInfo& b) { return a.name < b.name; });
  return out;
}

std::string format_segments_text(const std::vector<SegmentInfo>& segments) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%-40s %12s %-10s %-9s %9s  %s\n", "NAME", "SIZE", "OWNER", "MODE",
                "AGE", "MAPPED BY");
  out += line;
  int unreadable = 0;
  for (const auto& s : segments) {
    std::string who;
    for (const auto& m : s.mapped_by) {
      if (!who.empty()) who += ", ";
      who += std::to_string(m.pid);
      who += ' ';
      who += m.command;
    }
    if (who.empty()) who = "-";
    if (!s.readable) who += "  (not readable by you)";
    char age[32];
    if (s.age_seconds < 120) {
      std::snprintf(age, sizeof age, "%.0fs", s.age_seconds);
    } else if (s.age_seconds < 7200) {
      std::snprintf(age, sizeof age, "%.0fm", s.age_seconds / 60);
    } else {
      std::snprintf(age, sizeof age, "%.1fh", s.age_seconds / 3600);
    }
    std::snprintf(line, sizeof line, "%-40s %12llu %-10s %-9s %9s  ", s.name.c_str(),
                  static_cast<unsigned long long>(s.size), s.owner.c_str(),
                  format_mode(s.mode).c_str(), age);
    out += line + who + "\n";
    unreadable = s.unreadable_processes;
  }
  if (segments.empty()) out += "(no shared memory objects)\n";
  if (unreadable > 0) {
    out += '(';
    out += std::to_string(unreadable);
    out += " processes' maps not readable: their mappings are not shown)\n";
  }
  return out;
}

}  // namespace shminspect
