// `shmipc watch`: the status view redrawn in place. Observer only: it never writes the block.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "commands.hpp"
#include "shmipc/clock.hpp"
#include "shmipc/error.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/observer.hpp"

namespace shmcli {

namespace {

constexpr std::uint64_t kJournalLines = 12;
// Replacing a segment is unlink + create, so its name is missing for an instant in between. A
// missing name is looked at again after this long before it counts as the session's end (a
// watch that caught the instant said "removed" and exited 0 for a replaced segment).
constexpr auto kRemovalGrace = std::chrono::milliseconds(150);

// The most recent journal records, newest last: who did what, and how long ago.
std::string recent_journal(const shmipc::Observer& observer, const shmipc::Snapshot& snap) {
  const std::uint64_t from =
      snap.journal_next > kJournalLines ? snap.journal_next - kJournalLines : 0;
  const shmipc::JournalRead read = observer.journal_since(snap, from);
  const std::uint64_t now = shmipc::monotonic_ns();
  std::string out = "journal (last " + std::to_string(read.items.size()) + " of " +
                    std::to_string(snap.journal_next) + "):\n";
  for (const auto& item : read.items) {
    const auto& r = item.record;
    const double age_s = r.t_ns <= now ? static_cast<double>(now - r.t_ns) / 1e9 : 0.0;
    const auto kind = shmipc::journal_kind_name(static_cast<shmipc::JournalKind>(r.kind));
    const auto role = shmipc::role_name(static_cast<shmipc::Role>(r.role));
    // The preview is not NUL-terminated: bound it by its array size.
    const std::size_t preview_len = ::strnlen(r.preview, sizeof r.preview);
    char line[200];
    std::snprintf(line, sizeof line,
                  "  #%-7llu %7.3f s ago  pid %-7u %-8.*s %-18.*s arg %u value %llu",
                  static_cast<unsigned long long>(item.seq), age_s, r.pid,
                  static_cast<int>(role.size()), role.data(), static_cast<int>(kind.size()),
                  kind.data(), r.arg, static_cast<unsigned long long>(r.value));
    out += line;
    if (preview_len > 0) out += "  \"" + printable(std::string_view(r.preview, preview_len)) + "\"";
    if (r.flags & shmipc::kJournalFlagInjected) out += "  [injected]";
    out += "\n";
  }
  if (read.lost > 0)
    out += "  (" + std::to_string(read.lost) + " records overwritten before they could be read)\n";
  return out;
}

}  // namespace

int run_watch(Arguments& args) {
  const std::string name = args.session();
  const auto interval_ms = args.count("interval").value_or(250);
  const auto count = args.count("count");
  args.finish();
  auto observer = shmipc::Observer::open(name);
  for (std::uint64_t frame = 0; !count || frame < *count; ++frame) {
    if (frame > 0) std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
    // Checked before the copy: a resized or replaced segment is named as such, not shown as
    // a block full of problems (and never followed to the new object).
    if (const auto problem = observer->tampering())
      throw shmipc::Error(shmipc::ErrorCode::Corrupt, *problem + "; stopped watching");
    const shmipc::Snapshot snap = observer->snapshot();
    // Cursor home + clear to end of screen: the view refreshes in place without flicker.
    std::string screen = "\x1b[H\x1b[J" + status_text(name, snap) + recent_journal(*observer, snap);
    const bool linked = observer->still_linked();
    if (!linked) {
      std::this_thread::sleep_for(kRemovalGrace);
      if (const auto problem = observer->tampering())
        throw shmipc::Error(shmipc::ErrorCode::Corrupt, *problem + "; stopped watching");
      screen += "the session was removed (last member left)\n";
    }
    std::fputs(screen.c_str(), stdout);
    std::fflush(stdout);
    if (!linked) return 0;
  }
  return 0;
}

}  // namespace shmcli
