#include "soak_peers.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>
#include <variant>

#include "shmipc/error.hpp"
#include "shmipc/observer.hpp"
#include "shmipc/peer.hpp"
#include "shmipc/session.hpp"

namespace shmcli::soak {

using namespace std::chrono_literals;

shmipc::Deadline after_seconds(double s) {
  return shmipc::deadline_after(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(s)));
}

pid_t fork_peer(const std::function<int()>& body) {
  std::fflush(nullptr);
  const pid_t controller = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) shmipc::throw_errno("fork", errno);
  if (pid > 0) return pid;
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != controller) ::_exit(98);
  int code = 1;
  try {
    code = body();
  } catch (const shmipc::Error& e) {
    std::fprintf(stderr, "shmipc soak: peer %d: %s\n", static_cast<int>(::getpid()), e.what());
    code = e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "shmipc soak: peer %d: %s\n", static_cast<int>(::getpid()), e.what());
  }
  std::fflush(stderr);
  ::_exit(code);
}

int parent_body(const Config& cfg, const Shared& sh) {
  shmipc::SessionOptions o;
  o.name = cfg.session;
  o.role = shmipc::RoleRequest::Parent;
  o.setup_timeout = 10s;
  auto session = shmipc::Session::join(o);
  sh.ledger->parent_joins.fetch_add(1);
  shmipc::ParentPeer parent(*session);
  for (;;) {
    const shmipc::ParentEvent event = parent.next();
    if (const auto* m = std::get_if<shmipc::ReceivedMessage>(&event)) {
      if (m->withdrawn) continue;  // its sender reported it as failed: not a delivery
      if (m->torn || !m->checksum_ok) {
        sh.ledger->rejected.fetch_add(1);
        continue;
      }
      const auto id = id_of(m->data.data(), m->data.size());
      if (!id || *id >= cfg.messages) {
        sh.ledger->foreign.fetch_add(1);
        continue;
      }
      if (sh.delivered[*id].fetch_add(1) == 0) {
        sh.sequence_of[*id].store(m->sequence);
        sh.reader_of[*id].store(static_cast<std::uint32_t>(::getpid()));
      } else {
        sh.ledger->dup_first_sequence.store(sh.sequence_of[*id].load());
        sh.ledger->dup_first_pid.store(sh.reader_of[*id].load());
        sh.ledger->dup_second_sequence.store(m->sequence);
        sh.ledger->dup_second_pid.store(static_cast<std::uint32_t>(::getpid()));
        sh.ledger->dup_id.store(*id);
      }
    } else if (const auto* c = std::get_if<shmipc::ReceivedCommand>(&event)) {
      if (c->command == shmipc::Command::KillApp) {
        session->leave();
        return 0;
      }
    }
  }
}

namespace {

// Sends one message and settles its outcome; a peer error other than the parent's absence
// (a corrupt block, a system call) ends the child.
void send_one(shmipc::ChildPeer& child, const Config& cfg, const Shared& sh, std::uint64_t id) {
  using W = shmipc::ChildPeer::Withdrawal;
  std::uint8_t result = kFailed;
  std::optional<std::uint64_t> written;  // the block's sequence, once we know it was written
  try {
    const shmipc::SendReceipt r = child.send_message(payload_of(id), after_seconds(cfg.timeout_s));
    written = r.sequence;
    if (r.receipt) result = kReceipt;
  } catch (const shmipc::Error& e) {
    if (e.code() != shmipc::ErrorCode::Timeout && e.code() != shmipc::ErrorCode::PeerGone) throw;
    // Timeout before writing: the previous message was still unread, nothing was written.
    // PeerGone: written, and the parent died before its receipt; a new one may still read it.
    if (e.code() == shmipc::ErrorCode::PeerGone) written = child.last_sent_sequence();
  }
  if (result != kReceipt && written) {
    // Reported as failed only once it can no longer be delivered.
    if (child.withdraw_unread(*written, after_seconds(cfg.timeout_s)) == W::Read) result = kReceipt;
  }
  sh.outcome[id].store(result);
  sh.ledger->settled.fetch_add(1);
}

}  // namespace

int child_body(const Config& cfg, const Shared& sh) {
  shmipc::SessionOptions o;
  o.name = cfg.session;
  o.role = shmipc::RoleRequest::Child;
  o.create_if_missing = false;
  o.setup_timeout = 10s;
  auto session = shmipc::Session::join(o);
  sh.ledger->child_joins.fetch_add(1);
  shmipc::ChildPeer child(*session);
  child.acknowledge(after_seconds(10));
  for (;;) {
    const std::uint64_t id = sh.ledger->next_id.fetch_add(1);
    if (id >= cfg.messages) break;
    sh.outcome[id].store(kSending);
    send_one(child, cfg, sh, id);
  }
  // Commands are taken in order after the messages: the parent has counted every one of
  // them when it answers this.
  if (!child.send_command(shmipc::Command::KillApp, 0, after_seconds(10)))
    throw shmipc::Error(shmipc::ErrorCode::Timeout, "the parent did not take KILL_APP");
  session->leave();
  return 0;
}

// An observer attached for the whole run, copying the block as `shmipc watch` does.
int observer_body(const Config& cfg, const Shared& sh) {
  std::unique_ptr<shmipc::Observer> observer;
  while (sh.ledger->stop_observer.load() == 0) {
    try {
      if (!observer) observer = shmipc::Observer::open(cfg.session);
      const shmipc::Snapshot snap = observer->snapshot();
      (void)observer->journal_since(snap, snap.journal_next > 64 ? snap.journal_next - 64 : 0);
      sh.ledger->snapshots.fetch_add(1);
    } catch (const shmipc::Error&) {
      sh.ledger->observer_errors.fetch_add(1);
      observer.reset();
    }
    std::this_thread::sleep_for(1ms);  // a refresh rate, not a wait for an event
  }
  return 0;
}

}  // namespace shmcli::soak
