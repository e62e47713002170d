// The shmipc rows of `shmipc bench`: ChildPeer::send_message (lock, versioned write, CRC-32,
// unlock, set SendMessage, wait for the receipt) timed against ParentPeer::next in a forked
// process, as a user's programs would run them.
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <variant>

#include "bench_rows.hpp"
#include "shmipc/error.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/observer.hpp"
#include "shmipc/peer.hpp"
#include "shmipc/session.hpp"

namespace shmcli::bench {

namespace {

const char* mechanism_name(ShmipcKind kind) {
  switch (kind) {
    case ShmipcKind::Reliable:
      return "shmipc-reliable";
    case ShmipcKind::Observed:
      return "shmipc-observed";
    case ShmipcKind::SeedFaithful:
      return "seed-faithful";
  }
  return "?";
}

// The parent: answers every message until KILL_APP. Tells `ready_fd` once it has joined.
int parent_loop(const std::string& session_name, shmipc::PeerMode mode, int ready_fd) {
  shmipc::SessionOptions o;
  o.name = session_name;
  o.role = shmipc::RoleRequest::Parent;
  o.mode = mode;
  auto session = shmipc::Session::join(o);
  shmipc::ParentPeer peer(*session);
  peer.set_mode(mode);
  const char byte = 1;
  write_all(ready_fd, &byte, 1);
  ::close(ready_fd);
  while (true) {
    auto e = peer.next();
    if (auto* cmd = std::get_if<shmipc::ReceivedCommand>(&e);
        cmd && cmd->command == shmipc::Command::KillApp)
      break;
  }
  session->leave();
  return 0;
}

}  // namespace

Row bench_shmipc(ShmipcKind kind, const RowSpec& spec, const std::string& session_name,
                 bool journal) {
  const shmipc::PeerMode mode =
      kind == ShmipcKind::SeedFaithful ? shmipc::PeerMode::SeedFaithful : shmipc::PeerMode::Reliable;
  shmipc::set_journal_enabled_for_benchmark(journal);  // the parent inherits it
  struct JournalBackOn {
    ~JournalBackOn() { shmipc::set_journal_enabled_for_benchmark(true); }
  } back_on;

  const pid_t parent = fork_ready_helper(
      *spec.cpus, spec.echo_cpu,
      [&](int ready_fd) { return parent_loop(session_name, mode, ready_fd); }, "bench parent");

  // An observer process snapshotting at 60 Hz until its stop pipe closes; placed by the
  // scheduler in every placement (it is a bystander, not one of the pair).
  pid_t observer = -1;
  int stop[2] = {-1, -1};
  if (kind == ShmipcKind::Observed) {
    if (::pipe(stop) != 0) shmipc::throw_errno("pipe", errno);
    observer = fork_helper(*spec.cpus, -1, [&] {
      ::close(stop[1]);
      auto obs = shmipc::Observer::open(session_name);
      pollfd p{stop[0], POLLIN, 0};
      // A 60 Hz frame clock, as the monitor's: the timeout is the frame, not a poll for events.
      while (::poll(&p, 1, 16) == 0) (void)obs->snapshot();
      return 0;
    });
    ::close(stop[0]);
  }

  shmipc::SessionOptions o;
  o.name = session_name;
  o.role = shmipc::RoleRequest::Child;
  o.create_if_missing = false;
  auto session = shmipc::Session::join(o);
  shmipc::ChildPeer child(*session);
  child.set_mode(shmipc::PeerMode::Reliable);
  child.acknowledge();
  const std::string text = payload(spec.bytes);
  Row row = time_round_trips(mechanism_name(kind), spec, [&] { child.send_message(text); });
  if (observer > 0) {
    ::close(stop[1]);
    reap(observer);
  }
  child.send_command(shmipc::Command::KillApp);
  session->leave();
  reap(parent);
  return row;
}

}  // namespace shmcli::bench
