// Joining and leaving a session, exactly as docs/PROTOCOL.md "Joining" and "Leaving" say.
// The init lock (byte 2) serialises set-up against joins and leaves; the member lock (byte 3)
// says whether anybody still uses the block; the role locks (bytes 0, 1) are the roles.
#include "shmipc/session.hpp"

#include <unistd.h>

#include <cstring>
#include <random>
#include <thread>

#include "ofd_lock.hpp"
#include "segment.hpp"
#include "shmipc/auto_reset_event.hpp"
#include "shmipc/error.hpp"
#include "shmipc/fault_injection.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/message_area.hpp"
#include "shmipc/process_identity.hpp"
#include "shmipc/robust_mutex.hpp"
#include "shmipc/session_name.hpp"
#include "stale_waiters.hpp"

namespace shmipc {

using detail::LockByte;
using detail::LockKind;
using detail::Segment;

struct Session::Impl {
  SessionOptions options;
  Segment segment;
  Block* block = nullptr;
  Actor actor;
  bool created = false;
  bool reclaimed = false;
  bool left = false;
  std::uint64_t last_verified_ns = 0;
  bool tampered = false;  // another process resized, replaced or removed the segment
};

namespace {

std::string quoted(const std::string& name) {
  return "\"" + name + "\"";
}

// Joiners that collide (two upgrading the init lock at once) back off for a random moment,
// so they do not retry in lock-step forever.
void back_off() {
  thread_local std::minstd_rand rng(static_cast<unsigned>(::getpid()) ^
                                    static_cast<unsigned>(monotonic_ns()));
  std::uniform_int_distribution<int> us(200, 3000);
  std::this_thread::sleep_for(std::chrono::microseconds(us(rng)));
}

void build_block(Block& b, std::uint32_t epoch) {
  // Zeroes first: every counter, slot and journal entry starts empty.
  std::memset(static_cast<void*>(&b), 0, sizeof(Block));
  b.header.magic = kBlockMagic;
  b.header.layout_version = kLayoutVersion;
  b.header.block_size = static_cast<std::uint32_t>(sizeof(Block));
  b.header.creator_uid = static_cast<std::uint32_t>(::geteuid());
  b.header.creator_pid = static_cast<std::uint32_t>(::getpid());
  b.header.created_realtime_ns = realtime_ns();
  b.header.created_monotonic_ns = monotonic_ns();
  b.header.session_epoch.store(epoch, std::memory_order_relaxed);
  RobustMutex::initialize(b.mutex);
  Events::initialize(b);
  // Stored last with release: whoever sees "ready" sees the whole block built.
  b.header.init_state.store(kInitReady, std::memory_order_release);
}

// The init lock is held for the whole join; it is dropped on every exit path.
class InitLock {
 public:
  explicit InitLock(int fd) : fd_(fd) {}
  ~InitLock() { release(); }
  InitLock(const InitLock&) = delete;
  InitLock& operator=(const InitLock&) = delete;
  void held(LockKind kind) { kind_ = kind; }
  LockKind kind() const { return *kind_; }
  void release() noexcept {
    if (kind_) detail::ofd_unlock(fd_, LockByte::Init);
    kind_.reset();
  }

 private:
  int fd_;
  std::optional<LockKind> kind_;
};

struct BlockState {
  bool empty = false;  // size 0: the creator died before ftruncate
  std::optional<detail::HeaderFields> header;
  bool members = false;  // somebody holds the member lock
  bool ready() const { return header && header->ready(); }
  bool stale() const { return !ready() || !members; }
};

BlockState inspect(const Segment& seg) {
  if (auto problem = seg.trust_problem(/*allow_empty=*/true)) {
    throw Error(ErrorCode::Untrusted, *problem);
  }
  BlockState s;
  s.empty = seg.status().st_size == 0;
  if (!s.empty) s.header = detail::read_header(seg);
  if (s.ready()) {
    if (auto problem = detail::header_problem(seg.path(), *s.header)) {
      throw Error(ErrorCode::Corrupt, *problem);
    }
  }
  s.members = detail::ofd_conflict_exists(seg.fd(), LockByte::Member, LockKind::Write);
  return s;
}

void fill_slot(ParticipantSlot& slot, Role role, PeerMode mode, const ProcessIdentity& me) {
  std::uint64_t now = monotonic_ns();
  slot.pid.store(me.pid, std::memory_order_relaxed);
  slot.start_time.store(me.start_time, std::memory_order_relaxed);
  slot.joined_ns.store(now, std::memory_order_relaxed);
  slot.heartbeat_ns.store(now, std::memory_order_relaxed);
  slot.activity.store(static_cast<std::uint32_t>(Activity::Idle), std::memory_order_relaxed);
  slot.mode.store(static_cast<std::uint32_t>(mode), std::memory_order_relaxed);
  slot.step_pending.store(0, std::memory_order_relaxed);
  slot.step_pending_arg.store(0, std::memory_order_relaxed);
  slot.cpu.store(kUnknownCpu, std::memory_order_relaxed);  // adaptive waiting: not known yet
  slot.run_state.store(static_cast<std::uint32_t>(RunState::Running), std::memory_order_relaxed);
  slot.step_taken.store(slot.step_grants.load(std::memory_order_relaxed),
                        std::memory_order_relaxed);
  slot.role.store(static_cast<std::uint32_t>(role), std::memory_order_release);
}

void clear_slot(ParticipantSlot& slot) {
  slot.role.store(0, std::memory_order_release);
  slot.pid.store(0, std::memory_order_relaxed);
  slot.start_time.store(0, std::memory_order_relaxed);
  slot.activity.store(0, std::memory_order_relaxed);
  slot.step_pending.store(0, std::memory_order_relaxed);
}

struct DeadPeer {
  std::uint32_t pid = 0;
  std::uint32_t role = 0;
};

// Slot 0 or 1: we hold its role lock, so a role still recorded there is a dead process's.
std::optional<DeadPeer> take_role_slot(Block& b, std::size_t index, Role role, PeerMode mode,
                                       const ProcessIdentity& me) {
  ParticipantSlot& slot = b.participants[index];
  std::optional<DeadPeer> dead;
  std::uint32_t old_role = slot.role.load(std::memory_order_acquire);
  if (old_role != 0) {
    dead = DeadPeer{slot.pid.load(std::memory_order_relaxed), old_role};
    if (detail::in_mutex_wait(slot.activity.load(std::memory_order_relaxed)))
      detail::discount_mutex_waiter(b.mutex);
  }
  fill_slot(slot, role, mode, me);
  return dead;
}

// Slots 2-7 are shared by observers and tools and have no lock: claim with a compare-exchange,
// and take over a slot only when its process is gone (pid + start time).
std::optional<std::pair<int, std::optional<DeadPeer>>> take_other_slot(Block& b, Role role,
                                                                       PeerMode mode,
                                                                       const ProcessIdentity& me) {
  auto mine = static_cast<std::uint32_t>(role);
  for (std::size_t i = 2; i < kParticipantSlots; ++i) {
    std::uint32_t expected = 0;
    if (b.participants[i].role.compare_exchange_strong(expected, mine)) {
      fill_slot(b.participants[i], role, mode, me);
      return std::pair{static_cast<int>(i), std::optional<DeadPeer>{}};
    }
  }
  for (std::size_t i = 2; i < kParticipantSlots; ++i) {
    ParticipantSlot& slot = b.participants[i];
    std::uint32_t old_role = slot.role.load(std::memory_order_acquire);
    ProcessIdentity occupant{slot.pid.load(std::memory_order_relaxed),
                             slot.start_time.load(std::memory_order_relaxed)};
    if (old_role == 0 || is_alive(occupant)) continue;
    if (slot.role.compare_exchange_strong(old_role, mine)) {
      if (detail::in_mutex_wait(slot.activity.load(std::memory_order_relaxed)))
        detail::discount_mutex_waiter(b.mutex);
      fill_slot(slot, role, mode, me);
      return std::pair{static_cast<int>(i),
                       std::optional<DeadPeer>{DeadPeer{occupant.pid, old_role}}};
    }
  }
  return std::nullopt;
}

std::string slot_pid_text(const Block& b, std::size_t index) {
  std::uint32_t pid = b.participants[index].pid.load(std::memory_order_relaxed);
  return pid ? " (pid " + std::to_string(pid) + ")" : "";
}

}  // namespace

std::unique_ptr<Session> Session::join(const SessionOptions& options) {
  validate_session_name(options.name);
  const std::string& name = options.name;
  const Deadline deadline = deadline_after(options.setup_timeout);
  const bool may_create = options.create_if_missing && options.role != RoleRequest::Child &&
                          options.role != RoleRequest::Observer &&
                          options.role != RoleRequest::Tool;
  const ProcessIdentity me = current_process();
  const bool passive = options.role == RoleRequest::Observer || options.role == RoleRequest::Tool;
  // A creator takes its init lock microseconds after shm_open; an opener that finds a block
  // unbuilt gives it this long before calling it a dead creator's and rebuilding it.
  constexpr auto kCreatorGrace = std::chrono::milliseconds(20);
  std::optional<std::chrono::steady_clock::time_point> unbuilt_since;

  for (int attempt = 0;; ++attempt) {
    if (attempt > 0 && std::chrono::steady_clock::now() >= *deadline) {
      throw Error(ErrorCode::Timeout, "session " + quoted(name) + ": could not join within " +
                                          std::to_string(options.setup_timeout.count()) +
                                          " ms (other processes kept setting it up or leaving)");
    }
    // Step 1: create exclusively, or open what is there.
    bool created = false;
    std::optional<Segment> seg;
    if (may_create) {
      seg = Segment::create_exclusive(name);
      created = seg.has_value();
    }
    if (!seg) {
      seg = Segment::open_existing(name, detail::SegmentAccess::ReadWrite);
      if (!seg) {
        if (!may_create) {
          throw Error(ErrorCode::NotFound, "no session " + quoted(name) + " (/dev/shm/shmscope." +
                                               name + " does not exist)");
        }
        continue;  // it was removed between our create and open: start again
      }
    }
    const int fd = seg->fd();

    // Step 2: the init lock, write for the creator, read for an opener.
    InitLock init(fd);
    LockKind want = created ? LockKind::Write : LockKind::Read;
    if (!detail::ofd_lock_until(fd, LockByte::Init, want, deadline)) {
      throw Error(ErrorCode::Timeout,
                  "session " + quoted(name) + ": another process has been setting it up for " +
                      std::to_string(options.setup_timeout.count()) + " ms without finishing");
    }
    init.held(want);
    if (!seg->name_still_names_this()) continue;  // raced with the last member's unlink
    BlockState state = inspect(*seg);

    // Step 3: a block nobody uses (or nobody finished building) is rebuilt in place.
    bool built = false;
    std::uint32_t dead_creator = 0;
    if (!state.ready() && !created) {
      auto now = std::chrono::steady_clock::now();
      if (!unbuilt_since) unbuilt_since = now;
      if (now - *unbuilt_since < kCreatorGrace) {
        init.release();
        back_off();
        continue;
      }
    }
    if (passive && state.stale()) {
      // Observers and tools never rebuild: a ready block left by dead peers is exactly what
      // someone may want to inspect, and one never built has nothing to take part in.
      if (!state.ready()) {
        throw Error(ErrorCode::NotFound, "session " + quoted(name) +
                                             " was never finished (its creator died during "
                                             "set-up); `shmipc clean` removes it");
      }
    } else if (state.stale()) {
      if (init.kind() == LockKind::Read) {
        // Upgrade without waiting: two joiners holding read locks would wait for each other.
        if (!detail::ofd_try_lock(fd, LockByte::Init, LockKind::Write)) {
          init.release();
          back_off();
          continue;
        }
        init.held(LockKind::Write);
        state = inspect(*seg);  // someone may have built and joined meanwhile
      }
      if (state.stale()) {
        std::uint32_t epoch = 0;
        bool fresh = created && (!state.header || state.header->magic == 0);
        if (!fresh) {
          bool known = state.header && state.header->magic == kBlockMagic;
          epoch = (known ? state.header->session_epoch : 0) + 1;
          dead_creator = known ? state.header->creator_pid : 0;
        }
        if (state.empty) seg->resize_to_block();
        build_block(seg->map(), epoch);
        built = true;
        created = fresh;
      }
    }
    Block& b = seg->map();

    // Step 4: member lock, then the election while the init lock is still held.
    if (!detail::ofd_try_lock(fd, LockByte::Member, LockKind::Read)) {
      throw Error(ErrorCode::System, "session " + quoted(name) + ": member lock refused");
    }
    Role role = Role::None;
    auto try_role = [&](LockByte byte) { return detail::ofd_try_lock(fd, byte, LockKind::Write); };
    switch (options.role) {
      case RoleRequest::Any:
      case RoleRequest::AnyOrObserver:
        if (try_role(LockByte::Parent)) {
          role = Role::Parent;
        } else if (try_role(LockByte::Child)) {
          role = Role::Child;
        } else if (options.role == RoleRequest::AnyOrObserver) {
          role = Role::Observer;
        } else {
          detail::ofd_unlock(fd, LockByte::Member);
          throw Error(ErrorCode::SessionFull,
                      "session " + quoted(name) + " is full: it already has a parent" +
                          slot_pid_text(b, kParentSlot) + " and a child" +
                          slot_pid_text(b, kChildSlot) + "; join as an observer to watch it");
        }
        break;
      case RoleRequest::Parent:
      case RoleRequest::Child: {
        bool parent = options.role == RoleRequest::Parent;
        if (!try_role(parent ? LockByte::Parent : LockByte::Child)) {
          detail::ofd_unlock(fd, LockByte::Member);
          std::size_t idx = parent ? kParentSlot : kChildSlot;
          throw Error(ErrorCode::RoleTaken, "session " + quoted(name) + " already has a " +
                                                (parent ? "parent" : "child") +
                                                slot_pid_text(b, idx));
        }
        role = parent ? Role::Parent : Role::Child;
        break;
      }
      case RoleRequest::Observer:
        role = Role::Observer;
        break;
      case RoleRequest::Tool:
        role = Role::Tool;
        break;
    }

    // Step 5: the participant slot.
    int slot = -1;
    std::optional<DeadPeer> dead;
    if (role == Role::Parent || role == Role::Child) {
      slot = static_cast<int>(role == Role::Parent ? kParentSlot : kChildSlot);
      dead = take_role_slot(b, static_cast<std::size_t>(slot), role, options.mode, me);
    } else {
      auto taken = take_other_slot(b, role, options.mode, me);
      if (!taken) {
        detail::ofd_unlock(fd, LockByte::Member);
        throw Error(ErrorCode::SessionFull,
                    "session " + quoted(name) + " has no free slot for an " +
                        std::string(role_name(role)) + " (" +
                        std::to_string(kParticipantSlots - 2) + " observers and tools at most)");
      }
      slot = taken->first;
      dead = taken->second;
    }

    fault::at(fault::Point::Join);
    // Waiter slots of dead waiters (killed in a wait, or while claiming) go back to the pool
    // here, where no wait is timed: they would cost every setter a futex_wake and show as
    // waiters. Observers and tools only look; they leave the block as they found it.
    if (!passive) detail::release_dead_waiter_slots(b);

    auto impl = std::make_unique<Impl>(
        Impl{options, std::move(*seg), &b, Actor{&b, role, me.pid, slot}, created, false, false});
    impl->reclaimed = built && !created;
    const Actor& actor = impl->actor;
    if (built) {
      if (created) {
        journal_append(actor, JournalKind::SessionCreated, kLayoutVersion);
      } else {
        journal_append(actor, JournalKind::SessionReclaimed, 0, dead_creator);
      }
    }
    if (dead) journal_append(actor, JournalKind::PeerDied, dead->role, dead->pid);
    journal_append(actor, JournalKind::Join, static_cast<std::uint32_t>(role));
    init.release();
    std::unique_ptr<Session> session(new Session(std::move(impl)));

    // The article's processID: written by the parent under the mutex like every message-area
    // field. Done after the init lock is released, so a long mutex holder (`shmipc lock`)
    // delays only this parent, not every other joiner.
    if (role == Role::Parent) {
      RobustMutex mutex(session->actor());
      LockOutcome got = mutex.lock(deadline_after(options.setup_timeout));
      if (!got.acquired) {
        throw Error(ErrorCode::Timeout,
                    "session " + quoted(name) + ": the mutex stayed held (pid " +
                        std::to_string(b.mutex.owner_pid.load(std::memory_order_relaxed)) +
                        ") so the parent could not record its pid");
      }
      {
        VersionedWrite write(b.message);
        b.message.process_id.store(me.pid, std::memory_order_relaxed);
      }
      mutex.unlock();
    }
    return session;
  }
}

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Session::~Session() {
  leave();
}

void Session::leave() noexcept {
  if (!impl_ || impl_->left) return;
  impl_->left = true;
  Impl& s = *impl_;
  try {
    const int fd = s.segment.fd();
    // Without the init lock we still give up our role, but do not decide about unlinking:
    // a joiner in the middle of its set-up would then find the name gone.
    bool exclusive = detail::ofd_lock_until(fd, LockByte::Init, LockKind::Write,
                                            deadline_after(s.options.setup_timeout));
    // A resized block may fault (its pages are gone) and a replaced name is not ours to
    // unlink: only the kernel's locks are given back.
    if (s.actor.slot >= 0 && !s.tampered) {
      journal_append(s.actor, JournalKind::Leave, static_cast<std::uint32_t>(s.actor.role));
      fault::at(fault::Point::Leave);
      ParticipantSlot& mine = s.block->participants[s.actor.slot];
      // Leaving from inside RobustMutex::lock (a stop signal's handler does): the count that
      // lock() would have taken back is taken back here, or it would stay one too high.
      if (detail::in_mutex_wait(mine.activity.load(std::memory_order_relaxed)))
        detail::discount_mutex_waiter(s.block->mutex);
      clear_slot(mine);
    }
    if (s.actor.role == Role::Parent) detail::ofd_unlock(fd, LockByte::Parent);
    if (s.actor.role == Role::Child) detail::ofd_unlock(fd, LockByte::Child);
    detail::ofd_unlock(fd, LockByte::Member);
    bool others = detail::ofd_conflict_exists(fd, LockByte::Member, LockKind::Write);
    if (exclusive && !others && !s.tampered && s.segment.name_still_names_this())
      s.segment.unlink_name();
    s.segment.unmap();
    s.block = nullptr;
    detail::ofd_unlock(fd, LockByte::Init);
  } catch (...) {
    // leave() runs from destructors: a failed system call must not terminate the process.
    s.segment.unmap();
  }
}

void Session::verify_segment(bool now) {
  Impl& s = *impl_;
  if (s.left) return;
  // A 100 ms period costs a clock read per step; the checks are two system calls.
  constexpr std::uint64_t kPeriodNs = 100'000'000;
  const std::uint64_t t = monotonic_ns();
  if (!now && !s.tampered && t - s.last_verified_ns < kPeriodNs) return;
  s.last_verified_ns = t;
  std::optional<std::string> problem = s.segment.tampering(/*removal_counts=*/true);
  if (!problem) {
    // The size is right, so the header's page is there to read: a shrink and regrow leaves
    // zeros, another program its own bytes.
    const BlockHeader& h = s.block->header;
    detail::HeaderFields copy;
    copy.magic = h.magic;
    copy.layout_version = h.layout_version;
    copy.block_size = h.block_size;
    problem = detail::header_problem(s.segment.path(), copy);
    if (problem) *problem += " (overwritten by another process)";
  }
  if (!problem) return;
  s.tampered = true;
  throw Error(ErrorCode::Corrupt, *problem + "; stopping");
}

Role Session::role() const noexcept {
  return impl_->actor.role;
}
const std::string& Session::name() const noexcept {
  return impl_->options.name;
}
bool Session::created() const noexcept {
  return impl_->created;
}
bool Session::reclaimed() const noexcept {
  return impl_->reclaimed;
}
Block& Session::block() noexcept {
  return *impl_->actor.block;
}
const Actor& Session::actor() const noexcept {
  return impl_->actor;
}

void Session::heartbeat() noexcept {
  if (impl_->left || impl_->actor.slot < 0) return;
  impl_->block->participants[impl_->actor.slot].heartbeat_ns.store(monotonic_ns(),
                                                                   std::memory_order_relaxed);
}

bool Session::role_alive(Role role) const {
  const Impl& s = *impl_;
  // Our own lock does not conflict with our own descriptor, so it cannot be probed.
  if (!s.left && role == s.actor.role) return true;
  switch (role) {
    case Role::Parent:
      return detail::ofd_conflict_exists(s.segment.fd(), LockByte::Parent, LockKind::Write);
    case Role::Child:
      return detail::ofd_conflict_exists(s.segment.fd(), LockByte::Child, LockKind::Write);
    case Role::Observer:
    case Role::Tool: {
      if (s.left) return false;
      for (std::size_t i = 2; i < kParticipantSlots; ++i) {
        const ParticipantSlot& slot = s.block->participants[i];
        if (slot.role.load(std::memory_order_acquire) != static_cast<std::uint32_t>(role)) {
          continue;
        }
        if (is_alive({slot.pid.load(std::memory_order_relaxed),
                      slot.start_time.load(std::memory_order_relaxed)})) {
          return true;
        }
      }
      return false;
    }
    case Role::None:
      break;
  }
  return false;
}

}  // namespace shmipc
