#include "app/session_link.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <thread>
#include <variant>

#include "app/task_thread.hpp"
#include "shmipc/auto_reset_event.hpp"
#include "shmipc/clock.hpp"
#include "shmipc/error.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/message_area.hpp"
#include "shmipc/peer.hpp"
#include "shmipc/robust_mutex.hpp"
#include "shmipc/session.hpp"
#include "shmipc/session_name.hpp"

namespace shmscope {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kAttachRetryNs = 500'000'000;
constexpr std::uint64_t kLinkCheckNs = 500'000'000;
constexpr auto kReceiptWait = 3s;  // a send or lock the user asked for gives up after this
constexpr std::size_t kReceiveLogMax = 1000;

// Heartbeats change every participant slot's heartbeat_ns all the time; they alone must not
// count as "the block changed", or the UI would never fall back to idle waiting.
// True if `offset` lies in the 8-byte field at `field` of one of `count` slots of `stride`
// bytes starting at `begin`.
bool in_slot_field(std::size_t offset, std::size_t begin, std::size_t stride, std::size_t count,
                   std::size_t field) {
  if (offset < begin || offset >= begin + stride * count) return false;
  const std::size_t in_slot = (offset - begin) % stride;
  return in_slot >= field && in_slot < field + sizeof(std::uint64_t);
}

// Bytes a waiting peer rewrites every heartbeat slice (its heartbeat, the CPU and run state it
// passes through when it wakes for the next slice, and the since_ns of the waiter slot it
// claims again): not news, so they do not keep the UI awake.
bool is_heartbeat_byte(std::size_t offset) {
  static_assert(offsetof(shmipc::ParticipantSlot, run_state) ==
                offsetof(shmipc::ParticipantSlot, cpu) + sizeof(std::uint32_t));
  const auto participant_field = [&](std::size_t field) {
    return in_slot_field(offset, offsetof(shmipc::Block, participants),
                         sizeof(shmipc::ParticipantSlot), shmipc::kParticipantSlots, field);
  };
  return participant_field(offsetof(shmipc::ParticipantSlot, heartbeat_ns)) ||
         participant_field(offsetof(shmipc::ParticipantSlot, cpu)) ||
         in_slot_field(offset, offsetof(shmipc::Block, waiters), sizeof(shmipc::WaiterSlot),
                       shmipc::kWaiterSlots, offsetof(shmipc::WaiterSlot, since_ns));
}

bool block_changed(const std::vector<std::byte>& before, const std::vector<std::byte>& now) {
  if (before.size() != now.size()) return true;
  if (std::memcmp(before.data(), now.data(), now.size()) == 0) return false;
  for (std::size_t i = 0; i < now.size(); ++i) {
    if (before[i] != now[i] && !is_heartbeat_byte(i)) return true;
  }
  return false;
}

std::string describe(const std::exception& e) {
  if (const auto* err = dynamic_cast<const shmipc::Error*>(&e)) return err->what();
  return std::string("unexpected error: ") + e.what();
}

std::string printable(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static const char* kHex = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

// A peer role the user took. The child's calls run on `tasks`; the parent runs the article's
// receive loop on `loop`. The Session is touched only by that thread until it has finished.
struct SessionLink::PeerRun {
  shmipc::Role role = shmipc::Role::None;
  std::atomic<bool> stop{false};
  std::atomic<bool> done{false};
  std::atomic<int> mode{0};
  std::unique_ptr<shmipc::Session> session;
  std::unique_ptr<shmipc::ChildPeer> child;
  std::thread loop;                   // parent
  std::unique_ptr<TaskThread> tasks;  // child; declared last: joined before the rest dies

  bool finished() const { return tasks ? tasks->finished() : done.load(); }
  void request_stop() {
    stop = true;
    if (tasks) tasks->request_stop();
  }
  ~PeerRun() {
    request_stop();
    if (tasks) tasks->join();
    if (loop.joinable()) loop.join();
    child.reset();
    session.reset();  // leave(): frees the role and slot
  }
};

// The Tool member that carries out injections; joined on first use.
struct SessionLink::ToolRun {
  std::shared_ptr<shmipc::Session> session;  // shared with the hold threads
  std::mutex hold_mu;
  std::condition_variable hold_cv;
  bool stopping = false;
  std::atomic<int> active_holds{0};
  std::vector<std::thread> holds;
  std::unique_ptr<TaskThread> tasks;

  bool finished() const { return tasks->finished() && active_holds.load() == 0; }
  void request_stop() {
    {
      std::lock_guard<std::mutex> lock(hold_mu);
      stopping = true;
    }
    hold_cv.notify_all();
    tasks->request_stop();
  }
  ~ToolRun() {
    request_stop();
    tasks->join();
    for (auto& t : holds) t.join();
  }
};

SessionLink::SessionLink(std::string session) : session_(std::move(session)) {
  acting_.session_name = session_;
}

SessionLink::~SessionLink() {
  peer_.reset();
  tool_.reset();
  retired_.clear();
  retired_tools_.clear();
}

ActingState SessionLink::acting() const {
  std::lock_guard<std::mutex> lock(state_mu_);
  return acting_;
}

std::string SessionLink::session() const {
  return session_;
}
std::string SessionLink::status() const {
  return status_;
}

void SessionLink::set_result(std::string result) {
  std::lock_guard<std::mutex> lock(state_mu_);
  acting_.last_result = std::move(result);
  acting_.last_error.clear();
}

void SessionLink::set_error(std::string error) {
  std::lock_guard<std::mutex> lock(state_mu_);
  acting_.last_error = std::move(error);
}

void SessionLink::reap_retired() {
  std::erase_if(retired_, [](const auto& run) { return run->finished(); });
  std::erase_if(retired_tools_, [](const auto& run) { return run->finished(); });
  if (peer_ && peer_->finished()) {
    // The join failed or the loop ended by itself (e.g. the session went away).
    peer_.reset();
    std::lock_guard<std::mutex> lock(state_mu_);
    acting_.role = shmipc::Role::Observer;
  }
}

bool SessionLink::update(SessionHistory& history) {
  reap_retired();
  const std::uint64_t now = shmipc::monotonic_ns();
  // The segment we have open was removed (and maybe re-created): after one last read, start
  // over with the new one. The removal is looked for before that read: the last one out
  // writes its Leave and then removes the segment, so the read has the session's last records
  // (our mapping outlives the name).
  bool removed = false;
  if (observer_ && now >= next_link_check_ns_) {
    next_link_check_ns_ = now + kLinkCheckNs;
    removed = !observer_->still_linked();
  }
  if (!observer_) {
    if (now < next_attach_ns_) return false;
    next_attach_ns_ = now + kAttachRetryNs;
    try {
      observer_ = shmipc::Observer::open(session_);
      status_ = "attached";
      next_link_check_ns_ = now + kLinkCheckNs;
    } catch (const shmipc::Error& e) {
      status_ = e.code() == shmipc::ErrorCode::NotFound
                    ? "waiting for session " + session_ + " (not found; retrying every 0.5 s)"
                    : std::string(e.what());
    } catch (const std::exception& e) {
      status_ = describe(e);
    }
    {
      std::lock_guard<std::mutex> lock(state_mu_);
      acting_.attached = observer_ != nullptr;
    }
    if (!observer_) return false;
  }
  if (history_needs_clear_) {
    history.clear();
    last_raw_.clear();
    history_needs_clear_ = false;
  }
  try {
    shmipc::Snapshot snap = observer_->snapshot();
    const std::uint64_t from = history.journal_next();
    shmipc::JournalRead read = observer_->journal_since(snap, from);
    // Records the ring overwrote before this read are the oldest ones asked for: a GAP row in
    // the diagram, as in a recording, rather than a silent jump in sequence numbers. (A first
    // read starts wherever the ring begins: older history is not a loss.)
    if (read.lost > 0 && from > 0) {
      std::uint64_t expected = from;  // the holes in [from, next) are exactly what was lost
      auto hole_until = [&](std::uint64_t seq) {
        if (seq > expected) history.note_gap({expected, seq - expected, snap.taken_ns});
      };
      for (const shmipc::JournalItem& item : read.items) {
        hole_until(item.seq);
        expected = item.seq + 1;
      }
      hole_until(read.next);
    }
    const bool changed = block_changed(last_raw_, snap.raw) || !read.items.empty();
    if (changed) last_raw_ = snap.raw;
    history.ingest(std::move(snap), read);
    if (removed) {
      observer_.reset();
      history_needs_clear_ = true;
      status_ = "session " + session_ + " went away; waiting for it to reappear";
    }
    return changed || removed;
  } catch (const std::exception& e) {
    status_ = "lost the session: " + describe(e);
    observer_.reset();
    history_needs_clear_ = true;
    std::lock_guard<std::mutex> lock(state_mu_);
    acting_.attached = false;
    return true;
  }
}

void SessionLink::attach_to(const std::string& name, SessionHistory& history) {
  (void)history;
  if (name == session_) return;
  if (peer_) {
    peer_->request_stop();
    retired_.push_back(std::move(peer_));
  }
  if (tool_) {
    tool_->request_stop();
    retired_tools_.push_back(std::move(tool_));
  }
  session_ = name;
  observer_.reset();
  next_attach_ns_ = 0;
  history_needs_clear_ = true;
  status_ = "attaching to " + name;
  std::lock_guard<std::mutex> lock(state_mu_);
  acting_ = ActingState{};
  acting_.session_name = name;
}

void SessionLink::join_parent() {
  auto run = std::make_unique<PeerRun>();
  run->role = shmipc::Role::Parent;
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    run->mode = static_cast<int>(acting_.mode);
  }
  PeerRun* r = run.get();
  const std::string name = session_;
  r->loop = std::thread([this, r, name] {
    try {
      shmipc::SessionOptions opts;
      opts.name = name;
      opts.role = shmipc::RoleRequest::Parent;
      opts.mode = static_cast<shmipc::PeerMode>(r->mode.load());
      r->session = shmipc::Session::join(opts);
      shmipc::ParentPeer parent(*r->session);
      {
        // Role and outcome in one step: a frame between the two would lay out the panel
        // without the outcome line, and the next frame would move every control under the
        // pointer down a line.
        std::lock_guard<std::mutex> lock(state_mu_);
        acting_.role = shmipc::Role::Parent;
        acting_.receive_log.clear();
        acting_.last_result = "joined " + name + " as parent";
        acting_.last_error.clear();
      }
      while (!r->stop) {
        parent.set_mode(static_cast<shmipc::PeerMode>(r->mode.load()));
        // A bounded wait so leave() is noticed; the wait itself blocks (no polling). Its
        // timeouts are the window's own, not protocol events: kept out of the journal, or the
        // diagram would fill with "parent wait timed out" rows four times a second.
        shmipc::ParentEvent ev = parent.next(shmipc::deadline_after(250ms), false);
        r->session->heartbeat();
        ReceiveLogLine line;
        line.t_ns = shmipc::monotonic_ns();
        if (const auto* m = std::get_if<shmipc::ReceivedMessage>(&ev)) {
          line.text = printable(m->data);
          if (m->withdrawn) line.text = "(withdrawn by its sender: not delivered)";
          if (m->torn) line.text += "  [torn]";
          if (!m->checksum_ok) line.text += "  [checksum bad]";
          if (m->lost_before > 0) line.text += "  [" + std::to_string(m->lost_before) + " lost]";
          line.receipt = true;
        } else if (const auto* c = std::get_if<shmipc::ReceivedCommand>(&ev)) {
          line.text = std::string(shmipc::command_name(c->command));
          line.receipt = true;
        } else if (const auto* s = std::get_if<shmipc::ChildStarted>(&ev)) {
          line.text = "child started (pid " + std::to_string(s->child_pid) + ")";
        } else {
          continue;
        }
        std::lock_guard<std::mutex> lock(state_mu_);
        acting_.receive_log.push_back(std::move(line));
        if (acting_.receive_log.size() > kReceiveLogMax) {
          acting_.receive_log.erase(acting_.receive_log.begin());
        }
      }
    } catch (const std::exception& e) {
      set_error("as parent: " + describe(e));
    }
    r->session.reset();
    r->done = true;
  });
  peer_ = std::move(run);
}

void SessionLink::join_child() {
  auto run = std::make_unique<PeerRun>();
  run->role = shmipc::Role::Child;
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    run->mode = static_cast<int>(acting_.mode);
  }
  PeerRun* r = run.get();
  r->tasks = std::make_unique<TaskThread>([r] {
    if (r->session) r->session->heartbeat();
  });
  const std::string name = session_;
  r->tasks->post([this, r, name] {
    try {
      shmipc::SessionOptions opts;
      opts.name = name;
      opts.role = shmipc::RoleRequest::Child;
      opts.mode = static_cast<shmipc::PeerMode>(r->mode.load());
      opts.create_if_missing = false;
      r->session = shmipc::Session::join(opts);
      r->child = std::make_unique<shmipc::ChildPeer>(*r->session);
      r->child->acknowledge();
      {
        std::lock_guard<std::mutex> lock(state_mu_);  // in one step, as for the parent
        acting_.role = shmipc::Role::Child;
        acting_.last_result = "joined " + name + " as child (childAck set)";
        acting_.last_error.clear();
      }
    } catch (const std::exception& e) {
      r->child.reset();
      r->session.reset();
      set_error("as child: " + describe(e));
      r->tasks->request_stop();
    }
  });
  peer_ = std::move(run);
}

void SessionLink::leave() {
  if (!peer_) {
    set_error("not joined: nothing to leave");
    return;
  }
  peer_->request_stop();
  retired_.push_back(std::move(peer_));
  std::lock_guard<std::mutex> lock(state_mu_);
  acting_.role = shmipc::Role::Observer;
  acting_.last_result = "left " + session_;
  acting_.last_error.clear();
}

void SessionLink::inject(const ActionRequest& req) {
  // Refused here, at once and on the UI thread, before anything touches the block.
  if (req.kind == ActionRequest::Kind::InjectRawData &&
      (req.offset > shmipc::kDataCapacity ||
       req.bytes.size() > shmipc::kDataCapacity - req.offset)) {
    set_error("write raw data: " + std::to_string(req.bytes.size()) + " bytes at offset " +
              std::to_string(req.offset) + " do not fit in data[" +
              std::to_string(shmipc::kDataCapacity) + "]; nothing was written");
    return;
  }
  if (!tool_) {
    tool_ = std::make_unique<ToolRun>();
    ToolRun* t = tool_.get();
    t->tasks = std::make_unique<TaskThread>([t] {
      if (t->session) t->session->heartbeat();
    });
  }
  ToolRun* t = tool_.get();
  const std::string name = session_;
  t->tasks->post([this, t, name, req] {
    try {
      if (!t->session) {
        shmipc::SessionOptions opts;
        opts.name = name;
        opts.role = shmipc::RoleRequest::Tool;
        opts.create_if_missing = false;
        t->session = shmipc::Session::join(opts);
      }
      shmipc::Actor actor = t->session->actor();
      actor.injected = true;  // every journal record of this actor is flagged as injected
      shmipc::Block& block = t->session->block();
      switch (req.kind) {
        case ActionRequest::Kind::InjectSetEvent: {
          const bool coalesced = shmipc::Events(actor).set(req.event);
          shmipc::journal_append(actor, shmipc::JournalKind::Injected,
                                 static_cast<std::uint32_t>(shmipc::InjectionKind::SetEvent),
                                 static_cast<std::uint64_t>(req.event));
          set_result("injected: set " + std::string(shmipc::event_name(req.event)) +
                     (coalesced ? " (it was already signalled)" : ""));
          break;
        }
        case ActionRequest::Kind::InjectHoldMutex: {
          const double seconds = std::clamp(req.seconds, 0.0, 600.0);
          auto session = t->session;
          t->active_holds++;
          t->holds.emplace_back([this, t, session, actor, seconds] {
            try {
              shmipc::RobustMutex mutex(actor);
              const auto outcome = mutex.lock(shmipc::deadline_after(kReceiptWait));
              if (!outcome.acquired) {
                set_error("hold mutex: it stayed held by someone else for 3 s");
              } else {
                shmipc::journal_append(actor, shmipc::JournalKind::Injected,
                                       static_cast<std::uint32_t>(shmipc::InjectionKind::HoldMutex),
                                       static_cast<std::uint64_t>(seconds * 1e9));
                set_result("injected: holding the mutex for " +
                           std::to_string(seconds).substr(0, 4) + " s");
                std::unique_lock<std::mutex> lock(t->hold_mu);
                t->hold_cv.wait_for(lock, std::chrono::duration<double>(seconds),
                                    [t] { return t->stopping; });
                lock.unlock();
                mutex.unlock();
              }
            } catch (const std::exception& e) {
              set_error("hold mutex: " + describe(e));
            }
            t->active_holds--;
          });
          break;
        }
        case ActionRequest::Kind::InjectFlipChildAck:
        case ActionRequest::Kind::InjectRawData: {
          const bool flip = req.kind == ActionRequest::Kind::InjectFlipChildAck;
          shmipc::RobustMutex mutex(actor);
          shmipc::MutexGuard guard(mutex, shmipc::deadline_after(kReceiptWait));
          if (!guard.acquired()) {
            set_error("the mutex stayed held by someone else for 3 s; nothing was written");
            break;
          }
          std::uint32_t ack_now = 0;
          {
            shmipc::VersionedWrite write(block.message);
            if (flip) {
              ack_now = block.message.child_ack.load() != 0 ? 0 : 1;
              block.message.child_ack.store(ack_now);
              block.message.ack_pid.store(0);  // no child acknowledged: an observer did
            } else {
              std::memcpy(block.message.data + req.offset, req.bytes.data(), req.bytes.size());
            }
            block.message.message_flags.fetch_or(shmipc::kMessageFlagInjected);
          }
          if (flip) {
            shmipc::journal_append(actor, shmipc::JournalKind::Injected,
                                   static_cast<std::uint32_t>(shmipc::InjectionKind::FlipChildAck),
                                   ack_now);
            set_result("injected: childAck is now " + std::to_string(ack_now));
          } else {
            shmipc::journal_append(actor, shmipc::JournalKind::Injected,
                                   static_cast<std::uint32_t>(shmipc::InjectionKind::WriteRawData),
                                   req.offset, req.bytes);
            set_result("injected: wrote " + std::to_string(req.bytes.size()) +
                       " raw bytes at data[" + std::to_string(req.offset) +
                       "] (dataSize and checksum untouched)");
          }
          break;
        }
        default:
          break;
      }
    } catch (const std::exception& e) {
      set_error("injection: " + describe(e));
    }
  });
}

void SessionLink::execute(const ActionRequest& req, SessionHistory& history, UiState& ui) {
  using Kind = ActionRequest::Kind;
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    acting_.last_error.clear();
  }
  switch (req.kind) {
    case Kind::Attach:
      if (auto problem = shmipc::session_name_problem(req.text)) {
        set_error("attach: " + *problem);
      } else {
        attach_to(req.text, history);
      }
      break;
    case Kind::StartAsParent:
      if (auto problem = shmipc::session_name_problem(req.text)) {
        set_error("start: " + *problem);
      } else if (peer_) {
        set_error("already joined as " + std::string(shmipc::role_name(peer_->role)) + "; leave first");
      } else {
        attach_to(req.text, history);
        join_parent();  // creates the session if it does not exist yet
      }
      break;
    case Kind::JoinAsParent:
    case Kind::JoinAsChild:
      if (peer_) {
        set_error("already joined as " + std::string(shmipc::role_name(peer_->role)) +
                  "; leave first");
      } else if (req.kind == Kind::JoinAsParent) {
        join_parent();
      } else {
        join_child();
      }
      break;
    case Kind::Leave:
      leave();
      break;
    case Kind::SendMessage:
    case Kind::SendCommand: {
      if (!peer_ || peer_->role != shmipc::Role::Child) {
        set_error("join as child to send");
        break;
      }
      PeerRun* r = peer_.get();
      r->tasks->post([this, r, req] {
        if (!r->child) return;
        try {
          if (req.kind == Kind::SendMessage) {
            const auto receipt =
                r->child->send_message(req.bytes, shmipc::deadline_after(kReceiptWait));
            std::string text = "sent #" + std::to_string(receipt.sequence);
            if (r->child->mode() == shmipc::PeerMode::Reliable) {
              text += receipt.receipt ? ", receipt received" : ", no receipt within 3 s";
            }
            if (receipt.overwrote_unread) text += " (overwrote an unread message)";
            set_result(text);
          } else {
            const bool ok =
                r->child->send_command(req.command, 0, shmipc::deadline_after(kReceiptWait));
            set_result(
                std::string(shmipc::command_name(req.command)) +
                (ok ? " sent, the parent handled it" : " sent, no ReceiveCommand within 3 s"));
          }
        } catch (const std::exception& e) {
          set_error("send: " + describe(e));
        }
      });
      break;
    }
    case Kind::SetMode: {
      {
        std::lock_guard<std::mutex> lock(state_mu_);
        acting_.mode = req.mode;
      }
      if (peer_) {
        peer_->mode = static_cast<int>(req.mode);
        if (peer_->tasks) {
          PeerRun* r = peer_.get();
          r->tasks->post([r, mode = req.mode] {
            if (r->child) r->child->set_mode(mode);
          });
        }
      }
      set_result(req.mode == shmipc::PeerMode::Reliable ? "mode: reliable (waits for receipts)"
                                                        : "mode: seed-faithful (10 ms polling)");
      break;
    }
    case Kind::InjectSetEvent:
    case Kind::InjectHoldMutex:
    case Kind::InjectFlipChildAck:
    case Kind::InjectRawData:
      if (!observer_) {
        set_error("not attached: nothing to inject into");
      } else {
        inject(req);
      }
      break;
    case Kind::SetPaused:
      ui.paused = req.flag;
      break;
    default:  // the classroom kinds: main.cpp hands them to ClassroomLink
      break;
  }
}

}  // namespace shmscope
