// The shared block: the one fixed-size object a session maps. This header is the binary
// contract (docs/PROTOCOL.md describes every byte); offsets are pinned by static_asserts so
// that a change to the layout cannot slip in without bumping kLayoutVersion.
//
// Rules every field follows:
//  - no pointers, only fixed-width integers, so any process (or an independent reader) can
//    decode it at any mapping address;
//  - every field another process may change concurrently is a lock-free std::atomic, which on
//    x86-64/glibc is the plain integer in memory (asserted below);
//  - nothing read from here is trusted: readers copy a value once, then bounds-check it.
#pragma once

#include <pthread.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace shmipc {

inline constexpr std::uint64_t kBlockMagic = 0x45504F43534D4853ULL;  // bytes "SHMSCOPE"
inline constexpr std::uint32_t kLayoutVersion = 3;  // 2: MessageArea::ack_pid; 3: ParticipantSlot cpu/run_state
inline constexpr std::size_t kDataCapacity = 1000;  // the article's data[1000]
inline constexpr std::size_t kEventCount = 5;
inline constexpr std::size_t kParticipantSlots = 8;  // 0 parent, 1 child, 2.. observers/tools
inline constexpr std::size_t kParentSlot = 0;
inline constexpr std::size_t kChildSlot = 1;
inline constexpr std::size_t kWaiterSlots = 16;
inline constexpr std::size_t kJournalCapacity = 2048;  // power of two
inline constexpr std::size_t kPreviewBytes = 16;
inline constexpr std::uint32_t kInitBuilding = 0;
inline constexpr std::uint32_t kInitReady = 0x52454459;  // "YDER": not a value a zeroed page has

static_assert((kJournalCapacity & (kJournalCapacity - 1)) == 0);

enum class Role : std::uint32_t { None = 0, Parent = 1, Child = 2, Observer = 3, Tool = 4 };

// The five named events of the article, each an auto-reset event with Windows semantics.
enum class EventId : std::uint32_t {
  ChildAcknowledge = 0,
  SendMessage = 1,
  ReceiveMessage = 2,
  SendCommand = 3,
  ReceiveCommand = 4,
};

enum class Command : std::uint32_t { None = 0, KillApp = 1, Ping = 2 };

// How a peer sends: reliable waits for the ReceiveMessage receipt before writing again;
// seed-faithful behaves as the article (no receipt wait, the parent polls every 10 ms).
enum class PeerMode : std::uint32_t { Reliable = 0, SeedFaithful = 1 };

enum class Activity : std::uint32_t {
  Idle = 0,
  WaitingMutex = 1,
  HoldingMutex = 2,
  WaitingEvent = 3,
  WaitingStep = 4,
  SpinningEvent = 5,  // polling for an event a partner running on another CPU is about to set
  SpinningMutex = 6,  // polling for the mutex while its owner runs on another CPU
};

// Whether a participant's waiting thread is on a CPU: what a partner needs to decide whether
// spinning can pay (docs/PROTOCOL.md, "Adaptive waiting"). Running also covers "not waiting".
enum class RunState : std::uint32_t { Running = 0, Spinning = 1, Blocked = 2 };
inline constexpr std::uint32_t kUnknownCpu = 0xFFFFFFFFu;

// Every protocol action appended to the journal. Values are part of the layout contract.
enum class JournalKind : std::uint16_t {
  None = 0,
  SessionCreated = 1,    // arg: layout version
  SessionReclaimed = 2,  // value: pid of the dead creator (0 unknown)
  Join = 3,              // role in record
  Leave = 4,
  PeerDied = 5,          // value: pid found dead; arg: its role
  LockRequested = 6,
  LockAcquired = 7,      // arg: 1 if it had to wait
  LockReleased = 8,      // value: hold time in ns
  OwnerDied = 9,         // value: pid of the dead owner
  EventSet = 10,         // arg: EventId; value: 1 if it was already signalled (coalesced)
  EventConsumed = 11,    // arg: EventId; value: wait time in ns
  EventTimeout = 12,     // arg: wait mask
  MessageWritten = 13,   // arg: dataSize; value: message sequence; preview: first bytes
  MessageRead = 14,      // arg: dataSize; value: message sequence; preview: first bytes
  MessageRefused = 15,   // arg: requested size (over capacity)
  AckWritten = 16,       // childAck set to 1
  CommandWritten = 17,   // arg: Command; value: command sequence
  CommandRead = 18,      // arg: Command; value: command sequence
  TornWrite = 19,        // a writer died or skipped the mutex: versions or checksum disagree
  ChecksumMismatch = 20, // value: message sequence
  MessageOverwritten = 21,  // value: sequence of the message that was never read
  StepPending = 22,      // arg: the JournalKind about to happen
  StepGranted = 23,      // arg: the JournalKind granted
  Injected = 24,         // an observer acted on the block; arg: InjectionKind
  Note = 25,             // free text in preview (scenarios)
  MessageWithdrawn = 26, // value: sequence; its sender gave up waiting before it was read
};
inline constexpr JournalKind kLastJournalKind = JournalKind::MessageWithdrawn;

enum class InjectionKind : std::uint32_t {
  SetEvent = 1,
  HoldMutex = 2,
  FlipChildAck = 3,
  WriteRawData = 4,
};

inline constexpr std::uint8_t kJournalFlagInjected = 1;

// Offset 0. Written once by the creator while it holds the init lock, then read-only.
struct BlockHeader {
  std::uint64_t magic;                      // 0  kBlockMagic
  std::uint32_t layout_version;             // 8  kLayoutVersion
  std::uint32_t block_size;                 // 12 sizeof(Block)
  std::uint32_t creator_uid;                // 16
  std::uint32_t creator_pid;                // 20
  std::uint64_t created_realtime_ns;        // 24 wall clock, for display only
  std::uint64_t created_monotonic_ns;       // 32 CLOCK_MONOTONIC
  std::atomic<std::uint32_t> init_state;    // 40 kInitBuilding or kInitReady (stored last)
  std::atomic<std::uint32_t> session_epoch; // 44 +1 each time a stale block is reclaimed
  std::uint8_t reserved[16];                // 48
};
static_assert(sizeof(BlockHeader) == 64);

// The article's KSharedMemory, plus what makes it safe. Written only by the mutex holder.
// Consistency without the mutex: a writer stores version_tail = g, then the fields, then
// version_head = g. A reader copying in ascending address order (memcpy, pread) has a
// consistent copy iff version_head == version_tail. A writer that died mid-write leaves
// them unequal: the message is torn, never valid. The checksum (CRC-32, the zlib/IEEE
// polynomial) covers message_sequence, data_size and data[0, data_size).
struct alignas(64) MessageArea {
  std::atomic<std::uint64_t> version_head;      // 0
  std::atomic<std::uint32_t> process_id;        // 8  article processID: the parent's pid
  std::atomic<std::uint32_t> child_ack;         // 12 article childAck: 0 or 1
  std::atomic<std::uint32_t> data_size;         // 16 article dataSize: 0..kDataCapacity
  std::atomic<std::uint32_t> checksum;          // 20 CRC-32 (see above)
  std::atomic<std::uint64_t> message_sequence;  // 24 1 for the first message; 0 none yet
  std::atomic<std::uint32_t> writer_pid;        // 32 who wrote the message
  std::atomic<std::uint32_t> message_flags;     // 36 kMessageFlag*
  std::atomic<std::uint64_t> message_read_sequence;  // 40 last sequence the parent consumed
  std::atomic<std::uint32_t> command;           // 48 Command posted with SendCommand
  std::atomic<std::uint32_t> command_arg;       // 52
  std::atomic<std::uint64_t> command_sequence;  // 56
  char data[kDataCapacity];                     // 64 article data[1000]
  // Who acknowledged: the parent reports this pid, not the child slot's, which a child that
  // acknowledged and left at once has already emptied (it read "child started (pid 0)").
  std::atomic<std::uint32_t> ack_pid;           // 1064 pid of the child that set child_ack
  std::uint8_t pad[12];                         // 1068
  std::atomic<std::uint64_t> version_tail;      // 1080
};
static_assert(sizeof(MessageArea) == 1088);

inline constexpr std::uint32_t kMessageFlagInjected = 1;   // written by an observer's injection
inline constexpr std::uint32_t kMessageFlagRecoveredTorn = 2;  // a dead writer's torn write was found
inline constexpr std::uint32_t kMessageFlagWithdrawn = 4;  // its sender timed out: never deliver it

// The process-shared robust mutex guarding MessageArea, and who holds it. The owner record
// is written right after acquiring and cleared right before releasing.
struct alignas(64) MutexArea {
  pthread_mutex_t mutex;                        // 0  PTHREAD_PROCESS_SHARED | ROBUST
  std::uint8_t mutex_reserve[64 - sizeof(pthread_mutex_t)];
  std::atomic<std::uint32_t> owner_pid;         // 64 0 when free
  std::atomic<std::uint32_t> owner_tid;         // 68
  std::atomic<std::uint32_t> owner_role;        // 72 Role
  std::atomic<std::uint32_t> waiters;           // 76 threads inside lock() right now
  std::atomic<std::uint64_t> owner_since_ns;    // 80 monotonic
  std::atomic<std::uint64_t> lock_count;        // 88 successful acquisitions
  std::atomic<std::uint64_t> contended_count;   // 96 acquisitions that had to wait
  std::atomic<std::uint64_t> total_hold_ns;     // 104
  std::atomic<std::uint32_t> owner_died_count;  // 112
  std::atomic<std::uint32_t> last_dead_owner_pid;  // 116
  std::atomic<std::uint64_t> last_owner_died_ns;   // 120
};
static_assert(sizeof(pthread_mutex_t) <= 64);
static_assert(sizeof(MutexArea) == 128);

// One auto-reset event. `signalled` is 0 or 1; a set turns it 1, exactly one waiter turns it
// back to 0 (compare-exchange) and so consumes it. Waiters sleep on their WaiterSlot, not here.
struct alignas(64) EventState {
  std::atomic<std::uint32_t> signalled;         // 0
  std::atomic<std::uint32_t> last_setter_pid;   // 4
  std::atomic<std::uint64_t> times_set;         // 8
  std::atomic<std::uint64_t> times_consumed;    // 16
  std::atomic<std::uint64_t> last_set_ns;       // 24
  std::atomic<std::uint32_t> last_setter_role;  // 32
  std::atomic<std::uint32_t> last_consumer_pid; // 36
  std::atomic<std::uint64_t> last_consumed_ns;  // 40
  std::uint8_t reserved[16];                    // 48
};
static_assert(sizeof(EventState) == 64);

// A thread that waits on events claims a slot (owner_tid 0 -> its tid), publishes the mask of
// events it waits for, and sleeps on wake_seq (a futex word). A setter bumps wake_seq of every
// slot whose mask has its event and wakes it. A waiter killed in its wait leaves a stale slot
// that costs a setter one futex_wake; nobody ever waits for a dead waiter.
struct alignas(64) WaiterSlot {
  std::atomic<std::uint32_t> owner_tid;         // 0 0 = free
  std::atomic<std::uint32_t> owner_pid;         // 4
  std::atomic<std::uint32_t> wait_mask;         // 8 bit i = EventId i
  std::atomic<std::uint32_t> wake_seq;          // 12 futex word
  std::atomic<std::uint64_t> since_ns;          // 16
  std::atomic<std::uint64_t> owner_start_time;  // 24 /proc/<pid>/stat starttime, for reuse checks
  std::atomic<std::uint32_t> owner_role;        // 32
  std::uint8_t reserved[28];                    // 36
};
static_assert(sizeof(WaiterSlot) == 64);

// Who takes part. Liveness is decided by the kernel role locks (see session); pid + start
// time identify the process for display and for cleaning up after it.
struct alignas(64) ParticipantSlot {
  std::atomic<std::uint32_t> role;              // 0  Role::None = free
  std::atomic<std::uint32_t> pid;               // 4
  std::atomic<std::uint64_t> start_time;        // 8  /proc/<pid>/stat field 22
  std::atomic<std::uint64_t> joined_ns;         // 16 monotonic
  std::atomic<std::uint64_t> heartbeat_ns;      // 24 monotonic, refreshed while it runs
  std::atomic<std::uint32_t> activity;          // 32 Activity
  std::atomic<std::uint32_t> mode;              // 36 PeerMode
  std::atomic<std::uint32_t> step_pending;      // 40 JournalKind waiting for a grant, 0 none
  std::atomic<std::uint32_t> step_grants;       // 44 futex word: grants issued to this slot
  std::atomic<std::uint32_t> step_taken;        // 48 grants consumed
  std::atomic<std::uint32_t> step_pending_arg;  // 52
  std::atomic<std::uint32_t> cpu;               // 56 sched_getcpu() at its last wait, kUnknownCpu
  std::atomic<std::uint32_t> run_state;         // 60 RunState of its waiting thread
};
static_assert(sizeof(ParticipantSlot) == 64);
static_assert(offsetof(ParticipantSlot, cpu) == 56);
static_assert(offsetof(ParticipantSlot, run_state) == 60);

// Session-wide switches written by whoever drives the session (monitor, scenario runner).
struct alignas(64) ControlArea {
  std::atomic<std::uint32_t> step_mode;         // 0  1: every action waits for a grant
  std::atomic<std::uint32_t> control_seq;       // 4  futex word bumped on every change
  std::uint8_t reserved[56];
};
static_assert(sizeof(ControlArea) == 64);

// One journal record as plain data; stored as six atomic words in a JournalEntry.
struct JournalRecord {
  std::uint64_t t_ns;                 // 0  CLOCK_MONOTONIC
  std::uint32_t pid;                  // 8
  std::uint32_t tid;                  // 12
  std::uint16_t kind;                 // 16 JournalKind
  std::uint8_t role;                  // 18 Role
  std::uint8_t flags;                 // 19 kJournalFlag*
  std::uint32_t arg;                  // 20
  std::uint64_t value;                // 24
  char preview[kPreviewBytes];        // 32 not NUL-terminated
};
static_assert(sizeof(JournalRecord) == 48);

// Entry n of the journal lives at index n % kJournalCapacity. The writer stores
// version_tail = n + 1, the six words, then version_head = n + 1. A reader has record n
// intact iff both versions read n + 1 (head before the words, tail after).
struct alignas(64) JournalEntry {
  std::atomic<std::uint64_t> version_head;      // 0
  std::atomic<std::uint64_t> words[6];          // 8
  std::atomic<std::uint64_t> version_tail;      // 56
};
static_assert(sizeof(JournalEntry) == 64);

struct alignas(64) JournalRing {
  std::atomic<std::uint64_t> next;              // 0 records ever claimed (fetch_add)
  std::uint8_t reserved[56];
  JournalEntry entries[kJournalCapacity];       // 64
};

struct Block {
  BlockHeader header;                           // 0
  MessageArea message;                          // 64
  MutexArea mutex;                              // 1152
  EventState events[kEventCount];               // 1280
  WaiterSlot waiters[kWaiterSlots];             // 1600
  ParticipantSlot participants[kParticipantSlots];  // 2624
  ControlArea control;                          // 3136
  JournalRing journal;                          // 3200
};

// Pinned offsets: the layout contract documented in docs/PROTOCOL.md.
static_assert(offsetof(Block, header) == 0);
static_assert(offsetof(Block, message) == 64);
static_assert(offsetof(Block, mutex) == 1152);
static_assert(offsetof(Block, events) == 1280);
static_assert(offsetof(Block, waiters) == 1600);
static_assert(offsetof(Block, participants) == 2624);
static_assert(offsetof(Block, control) == 3136);
static_assert(offsetof(Block, journal) == 3200);
static_assert(sizeof(Block) == 3200 + 64 + 64 * kJournalCapacity);
static_assert(offsetof(MessageArea, data) == 64);
static_assert(offsetof(MessageArea, ack_pid) == 1064);
static_assert(offsetof(MessageArea, version_tail) == 1080);

// Cross-process atomics must be plain integers in memory, with no lock on the side.
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(sizeof(std::atomic<std::uint32_t>) == 4);
static_assert(sizeof(std::atomic<std::uint64_t>) == 8);

inline constexpr std::uint32_t event_bit(EventId e) { return 1u << static_cast<std::uint32_t>(e); }

}  // namespace shmipc
