// `shmipc watch`: the status view redrawn in place. Observer only: it never writes the block.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "commands.hpp"
#include "shmipc/error.hpp"
#include "shmipc/observer.hpp"

namespace shmcli {

int run_watch(Arguments& args) {
  const std::string name = args.session();
  const auto interval_ms = args.count("interval").value_or(250);
  const auto count = args.count("count");
  args.finish();
  auto observer = shmipc::Observer::open(name);
  for (std::uint64_t frame = 0; !count || frame < *count; ++frame) {
    if (frame > 0) std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
    const shmipc::Snapshot snap = observer->snapshot();
    // Cursor home + clear to end of screen: the view refreshes in place without flicker.
    std::string screen = "\x1b[H\x1b[J" + status_text(name, snap);
    if (!observer->still_linked()) screen += "the session was removed (last member left)\n";
    std::fputs(screen.c_str(), stdout);
    std::fflush(stdout);
    if (!observer->still_linked()) return 0;
  }
  return 0;
}

}  // namespace shmcli
