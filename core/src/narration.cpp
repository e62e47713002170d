#include "shmipc/narration.hpp"

#include <cstring>

#include "shmipc/journal.hpp"
#include "shmipc/step_controller.hpp"

namespace shmipc {

namespace {

enum class Tense { Pending, Past };

std::string capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

// Message previews may hold any byte; narration shows only printable ASCII.
std::string quoted_preview(std::string_view preview) {
  std::string out;
  for (char c : preview) {
    if (c == '\0') break;
    out += (c >= 0x20 && c < 0x7f) ? c : '.';
  }
  if (out.empty()) return {};
  return " \"" + out + (preview.size() >= kPreviewBytes ? "...\"" : "\"");
}

std::string event_label(std::uint32_t arg) {
  if (arg >= kEventCount) return "an unknown event (" + std::to_string(arg) + ")";
  return std::string(event_name(static_cast<EventId>(arg)));
}

std::string mask_label(std::uint32_t mask) {
  std::string out;
  for (std::uint32_t i = 0; i < kEventCount; ++i) {
    if ((mask & (1u << i)) == 0) continue;
    if (!out.empty()) out += " or ";
    out += event_name(static_cast<EventId>(i));
  }
  return out.empty() ? std::string("no event") : out;
}

std::string command_label(std::uint32_t arg) {
  switch (static_cast<Command>(arg)) {
    case Command::KillApp:
      return "KILL_APP";
    case Command::Ping:
      return "PING";
    case Command::None:
      return "no command";
  }
  return "an unknown command (" + std::to_string(arg) + ")";
}

// Why an event is set, seen from its setter.
std::string event_reason(std::uint32_t arg) {
  switch (arg) {
    case 0:
      return "so that the parent learns the child has started";
    case 1:
      return "so that the parent wakes up and reads the message";
    case 2:
      return "so that the child knows its message arrived and may write the next one";
    case 3:
      return "so that the parent wakes up and reads the command";
    case 4:
      return "so that the child knows its command was handled";
    default:
      return "although no peer listens for it";
  }
}

std::string consumed_reason(std::uint32_t arg) {
  switch (arg) {
    case 0:
      return "so it can report that the child started";
    case 1:
      return "because a message is waiting in the block";
    case 2:
      return "because the parent confirmed its message";
    case 3:
      return "because a command is waiting in the block";
    case 4:
      return "because the parent confirmed its command";
    default:
      return "although nobody should set it";
  }
}

std::string lock_reason(Role role) {
  if (role == Role::Child)
    return "so that it can write into the block without the parent reading half of it";
  if (role == Role::Parent) return "so that it can copy the block out while nobody changes it";
  return "so that it can touch the block without tearing a peer's write";
}

std::string release_reason(Role role) {
  if (role == Role::Child) return "so that the parent can read what it wrote";
  if (role == Role::Parent) return "so that the child can write again";
  return "so that the peers can use the block again";
}

// One sentence: subject + verb phrase (pending or past form) + reason.
std::string sentence(const NarrationFacts& f, Tense t) {
  const std::string who = std::string(role_noun(f.role));
  const bool p = t == Tense::Pending;
  auto say = [&](const std::string& pending, const std::string& past, const std::string& why) {
    std::string s = who + (p ? " is about to " + pending : " " + past);
    if (!why.empty()) s += " " + why;
    return capitalised(s) + ".";
  };
  const std::string preview = quoted_preview(f.preview);
  switch (f.kind) {
    case JournalKind::None:
      return capitalised(who + (p ? " is not waiting for anything." : " did nothing."));
    case JournalKind::SessionCreated:
      return say("create the session's shared block", "created the session's shared block",
                 "and so became the parent: the first process to create the block is the parent");
    case JournalKind::SessionReclaimed:
      return say("rebuild a stale block left by dead processes",
                 "rebuilt a stale block left by dead processes",
                 "because nobody alive held it any more, so the session starts afresh");
    case JournalKind::Join:
      return say("join the session", "joined the session",
                 "and holds its role lock, which the kernel drops if it dies");
    case JournalKind::Leave:
      return say("leave the session", "left the session",
                 "and gives its role up; the last one to leave removes the segment");
    case JournalKind::PeerDied:
      return say("clear the slot of a dead " + std::string(role_name(static_cast<Role>(f.arg))),
                 "found that pid " + std::to_string(f.value) + " had died and cleared its slot",
                 "because its role lock was free: the kernel released it when it died");
    case JournalKind::LockRequested:
      return say("lock the mutex", "asked for the mutex", lock_reason(f.role));
    case JournalKind::LockAcquired:
      return say("take the mutex",
                 f.arg != 0 ? "got the mutex after waiting for it" : "got the mutex",
                 "and now owns the block until it unlocks");
    case JournalKind::LockReleased:
      return say("release the mutex", "released the mutex", release_reason(f.role));
    case JournalKind::OwnerDied:
      return say("recover the mutex from its dead owner",
                 "recovered the mutex from its dead owner (pid " + std::to_string(f.value) + ")",
                 "because the robust mutex reports EOWNERDEAD instead of staying locked forever");
    case JournalKind::EventSet:
      if (!p && f.value != 0)
        return say("", "signalled " + event_label(f.arg) + ", which was already set",
                   "and nobody had consumed it: an auto-reset event counts the two signals as one");
      return say("signal " + event_label(f.arg), "signalled " + event_label(f.arg),
                 event_reason(f.arg));
    case JournalKind::EventConsumed:
      return say("wake up on " + event_label(f.arg), "woke up on " + event_label(f.arg),
                 consumed_reason(f.arg));
    case JournalKind::EventTimeout:
      return say("stop waiting for " + mask_label(f.arg),
                 "stopped waiting for " + mask_label(f.arg) + " after its timeout",
                 "and will look again, as the article's 10 ms polling loop does");
    case JournalKind::MessageWritten:
      return say(
          "write the message" + preview + " (" + std::to_string(f.arg) + " bytes) into the block",
          "wrote message " + std::to_string(f.value) + preview + " (" + std::to_string(f.arg) +
              " bytes) into the block",
          "while it holds the mutex, so nobody reads it half-written");
    case JournalKind::MessageRead:
      return say("copy the message out of the block",
                 "copied message " + std::to_string(f.value) + preview + " (" +
                     std::to_string(f.arg) + " bytes) out of the block",
                 "while it holds the mutex, so the child cannot change it meanwhile");
    case JournalKind::MessageRefused:
      return say("refuse a message of " + std::to_string(f.arg) + " bytes",
                 "refused a message of " + std::to_string(f.arg) + " bytes",
                 "because the block holds at most 1000: nothing is truncated silently");
    case JournalKind::AckWritten:
      return say("set childAck in the block", "set childAck in the block",
                 "so that the parent can see the child is running");
    case JournalKind::CommandWritten:
      return say("write the command " + command_label(f.arg) + " into the block",
                 "wrote the command " + command_label(f.arg) + " into the block",
                 "so that the parent can act on it");
    case JournalKind::CommandRead:
      return say("read the command " + command_label(f.arg),
                 "read the command " + command_label(f.arg),
                 f.arg == static_cast<std::uint32_t>(Command::KillApp)
                     ? "and will close, as the article's KILL_APP asks"
                     : "and will answer it");
    case JournalKind::TornWrite:
      return say("report a torn write", "found a torn write",
                 "because the message's versions disagree: its writer died or skipped the mutex, "
                 "so the message is never reported as valid");
    case JournalKind::ChecksumMismatch:
      return say("report a checksum mismatch",
                 "found that message " + std::to_string(f.value) + " fails its checksum",
                 "because someone changed the data without the mutex: a torn message, caught");
    case JournalKind::MessageOverwritten:
      return say("overwrite message " + std::to_string(f.value) + " before the parent read it",
                 "overwrote message " + std::to_string(f.value) + " before the parent read it",
                 "because without waiting for ReceiveMessage nothing stops the next write: "
                 "that message is lost");
    case JournalKind::StepPending:
      return say("wait for a step grant before it " +
                     std::string(journal_kind_name(static_cast<JournalKind>(f.arg))),
                 "parked before " + std::string(journal_kind_name(static_cast<JournalKind>(f.arg))),
                 "because step mode is on: every action waits for the driver's grant");
    case JournalKind::StepGranted:
      return say("go ahead with " + std::string(journal_kind_name(static_cast<JournalKind>(f.arg))),
                 "was granted " + std::string(journal_kind_name(static_cast<JournalKind>(f.arg))),
                 "because the driver stepped it");
    case JournalKind::Injected: {
      std::string now = "change the block by hand", done = "changed the block by hand";
      switch (f.arg) {
        case 1:
          now = "set an event by hand";
          done = "set an event by hand";
          break;
        case 2:
          now = "hold the mutex by hand";
          done = "held the mutex by hand";
          break;
        case 3:
          now = "flip childAck by hand";
          done = "flipped childAck by hand";
          break;
        case 4:
          now = "write raw data into the block";
          done = "wrote raw data into the block";
          break;
        default:
          break;
      }
      return say(now, done, "to show how the peers react to something the protocol did not do");
    }
    case JournalKind::Note:
      return capitalised(who + (p ? " is about to note:" : " noted:") + preview + ".");
    case JournalKind::MessageWithdrawn:
      return say("withdraw its unread message #" + std::to_string(f.value),
                 "withdrew its unread message #" + std::to_string(f.value),
                 "because the parent did not take it in time: it will never be delivered");
  }
  return capitalised(who + (p ? " is about to do" : " did") + " an unknown action (kind " +
                     std::to_string(static_cast<unsigned>(f.kind)) + ").");
}

NarrationFacts facts_of(const JournalRecord& r) {
  NarrationFacts f;
  f.kind = static_cast<JournalKind>(r.kind);
  f.role = static_cast<Role>(r.role);
  f.arg = r.arg;
  f.value = r.value;
  f.preview = std::string_view(r.preview, ::strnlen(r.preview, kPreviewBytes));
  return f;
}

}  // namespace

std::string_view role_noun(Role role) noexcept {
  switch (role) {
    case Role::Parent:
      return "the parent";
    case Role::Child:
      return "the child";
    case Role::Observer:
      return "an observer";
    case Role::Tool:
      return "a tool";
    case Role::None:
      break;
  }
  return "a process";
}

std::string narrate_pending(const NarrationFacts& facts) {
  return sentence(facts, Tense::Pending);
}
std::string narrate_record(const NarrationFacts& facts) {
  return sentence(facts, Tense::Past);
}

std::string narrate_pending(const PendingAction& action) {
  NarrationFacts f;
  f.kind = action.kind;
  f.role = action.role;
  f.arg = action.arg;
  return narrate_pending(f);
}

std::string narrate_record(const JournalRecord& record) {
  return narrate_record(facts_of(record));
}

}  // namespace shmipc
