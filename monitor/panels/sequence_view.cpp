#include "panels/sequence_view.hpp"

#include <cstdio>
#include <set>
#include <algorithm>

#include "panels/view_text.hpp"
#include "shmipc/journal.hpp"

namespace shmscope {

namespace {

using shmipc::JournalKind;

int lane_of_role(shmipc::Role r) {
  switch (r) {
    case shmipc::Role::Parent:
      return 0;
    case shmipc::Role::Child:
      return 1;
    default:
      return 2;
  }
}

// Who an event set wakes: the parent waits for the child's events and the other way round.
int target_lane(shmipc::EventId e) {
  switch (e) {
    case shmipc::EventId::ChildAcknowledge:
    case shmipc::EventId::SendMessage:
    case shmipc::EventId::SendCommand:
      return 0;
    case shmipc::EventId::ReceiveMessage:
    case shmipc::EventId::ReceiveCommand:
      return 1;
  }
  return -1;
}

std::string preview_of(const shmipc::JournalRecord& r, std::size_t size) {
  const std::size_t n = std::min<std::size_t>(size, shmipc::kPreviewBytes);
  return printable_preview(std::string_view(r.preview, n), shmipc::kPreviewBytes);
}

}  // namespace

std::string journal_sentence(const shmipc::JournalRecord& r) {
  const auto role = static_cast<shmipc::Role>(r.role);
  const std::string who = std::string(role_word(role));
  const auto ev = std::string(shmipc::event_name(static_cast<shmipc::EventId>(r.arg)));
  const std::string inj = (r.flags & shmipc::kJournalFlagInjected) ? " [injected]" : "";
  switch (static_cast<JournalKind>(r.kind)) {
    case JournalKind::SessionCreated:
      return who + " creates the session" + inj;
    case JournalKind::SessionReclaimed:
      return who + " reclaims a stale block (dead creator pid " + std::to_string(r.value) + ")";
    case JournalKind::Join:
      return who + " joins (pid " + std::to_string(r.pid) + ")";
    case JournalKind::Leave:
      return who + " leaves";
    case JournalKind::PeerDied:
      return who + " finds pid " + std::to_string(r.value) + " (" +
             std::string(role_word(static_cast<shmipc::Role>(r.arg))) + ") dead";
    case JournalKind::LockRequested:
      return who + " asks for the mutex" + inj;
    case JournalKind::LockAcquired:
      return who + (r.arg ? " gets the mutex after waiting" : " gets the mutex") + inj;
    case JournalKind::LockReleased:
      return who + " releases the mutex (held " + duration_text(r.value) + ")" + inj;
    case JournalKind::OwnerDied:
      return who + " recovers the mutex: its owner pid " + std::to_string(r.value) + " died";
    case JournalKind::EventSet:
      return who + " sets " + ev + (r.value ? " (already signalled)" : "") + inj;
    case JournalKind::EventConsumed:
      return who + " wakes on " + ev + " (waited " + duration_text(r.value) + ")";
    case JournalKind::EventTimeout:
      return who + " wait timed out";
    case JournalKind::MessageWritten:
      return who + " writes \"" + preview_of(r, r.arg) + "\" (" + std::to_string(r.arg) +
             " bytes, message #" + std::to_string(r.value) + ")" + inj;
    case JournalKind::MessageRead:
      return who + " reads message #" + std::to_string(r.value) + " \"" + preview_of(r, r.arg) +
             "\" (" + std::to_string(r.arg) + " bytes)";
    case JournalKind::MessageRefused:
      return who + " refuses a message of " + std::to_string(r.arg) + " bytes (over 1000)";
    case JournalKind::AckWritten:
      return who + " writes childAck = 1" + inj;
    case JournalKind::CommandWritten:
      return who + " posts command " +
             std::string(shmipc::command_name(static_cast<shmipc::Command>(r.arg))) + inj;
    case JournalKind::CommandRead:
      return who + " handles command " +
             std::string(shmipc::command_name(static_cast<shmipc::Command>(r.arg)));
    case JournalKind::TornWrite:
      return who + " finds a TORN write (writer died or skipped the mutex)";
    case JournalKind::ChecksumMismatch:
      return who + " finds a BAD checksum on message #" + std::to_string(r.value);
    case JournalKind::MessageOverwritten:
      return who + " finds message #" + std::to_string(r.value) + " overwritten before it was read";
    case JournalKind::StepPending:
      return who + " waits for a step grant (" +
             std::string(shmipc::journal_kind_name(static_cast<JournalKind>(r.arg))) + ")";
    case JournalKind::StepGranted:
      return who + " is granted a step";
    case JournalKind::Injected:
      switch (static_cast<shmipc::InjectionKind>(r.arg)) {
        case shmipc::InjectionKind::SetEvent:
          return who + " sets " +
                 (r.value < shmipc::kEventCount
                      ? std::string(shmipc::event_name(static_cast<shmipc::EventId>(r.value)))
                      : "event #" + std::to_string(r.value)) +
                 " by hand [injected]";
        case shmipc::InjectionKind::HoldMutex: {
          char secs[32];
          std::snprintf(secs, sizeof secs, "%.1f s", static_cast<double>(r.value) / 1e9);
          return who + " holds the mutex by hand for " + secs + " [injected]";
        }
        case shmipc::InjectionKind::FlipChildAck:
          return who + " flips childAck to " + std::to_string(r.value) + " by hand [injected]";
        case shmipc::InjectionKind::WriteRawData:
          return who + " writes raw bytes into data[" + std::to_string(r.value) + "...] by hand [injected]";
      }
      return who + " injects an action" + inj;
    case JournalKind::Note:
      return "note: " + preview_of(r, shmipc::kPreviewBytes);
    case JournalKind::MessageWithdrawn:
      return who + " withdraws unread message #" + std::to_string(r.value) + " (timed out)";
    case JournalKind::None:
      break;
  }
  return who + " " + std::string(shmipc::journal_kind_name(static_cast<JournalKind>(r.kind)));
}

SequenceView make_sequence_view(const PanelInput& in, const UiState& ui, std::size_t max_rows) {
  SequenceView v;
  const auto& journal = in.history.journal();
  if (in.history.latest() == nullptr && journal.empty()) {
    v.status = in.acting.attached ? "Waiting for the journal." : "No session attached.";
    return v;
  }
  v.lanes = {{"parent", shmipc::Role::Parent, 0},
             {"child", shmipc::Role::Child, 0},
             {"others", shmipc::Role::Observer, 0}};
  const std::uint64_t end_seq = ui.paused ? ui.paused_journal_next : UINT64_MAX;
  std::size_t first = 0;
  {
    std::size_t count = 0;
    for (std::size_t i = journal.size(); i-- > 0;) {
      if (journal[i].seq >= end_seq) continue;
      first = i;
      if (++count >= max_rows) break;
    }
  }
  // Who held the mutex before the first row shown: replay the rows skipped over.
  std::uint32_t holding = 0;
  bool any_other = false;
  // Message sequences read so far (over the whole kept journal, shown or not): reading one
  // again is a protocol anomaly, e.g. SendMessage set by hand after the parent had read it.
  std::set<std::uint64_t> read_sequences;
  // Records the ring lost (a recording's gaps) get a row of their own where they were missing.
  const auto& gaps = in.history.gaps();
  std::size_t next_gap = 0;
  auto gap_rows_before = [&](std::uint64_t seq, bool shown) {
    for (; next_gap < gaps.size() && gaps[next_gap].first_seq < seq; ++next_gap) {
      const JournalGap& g = gaps[next_gap];
      if (!shown) continue;
      SequenceRow row;
      row.seq = g.first_seq;
      row.t_ns = g.t_ns;
      row.gap = true;
      row.anomaly = true;
      row.colour = UiColour::Dead;
      row.holding_mask = 0;
      row.text = "GAP: " + std::to_string(g.count) + " record" + (g.count == 1 ? "" : "s") +
                 " lost to the ring (#" + std::to_string(g.first_seq) + "-#" +
                 std::to_string(g.first_seq + g.count - 1) + "): not in the recording";
      v.rows.push_back(std::move(row));
    }
  };
  for (std::size_t i = 0; i < journal.size(); ++i) {
    const shmipc::JournalItem& item = journal[i];
    if (item.seq >= end_seq) break;
    gap_rows_before(item.seq, i >= first);
    const shmipc::JournalRecord& r = item.record;
    const auto kind = static_cast<JournalKind>(r.kind);
    const int lane = lane_of_role(static_cast<shmipc::Role>(r.role));
    if (kind == JournalKind::LockAcquired) holding |= 1u << lane;
    const bool reread = kind == JournalKind::MessageRead && r.value != 0 &&
                        !read_sequences.insert(r.value).second;
    if (i < first) {
      if (kind == JournalKind::LockReleased) holding &= ~(1u << lane);
      continue;
    }
    Lifeline& l = v.lanes[static_cast<std::size_t>(lane)];
    if (lane < 2 && r.pid != 0) l.pid = r.pid;
    if (lane == 2) any_other = true;
    SequenceRow row;
    row.seq = item.seq;
    row.t_ns = r.t_ns;
    row.kind = kind;
    row.from_lane = lane;
    row.injected = (r.flags & shmipc::kJournalFlagInjected) != 0;
    row.lock_row = kind == JournalKind::LockRequested || kind == JournalKind::LockAcquired ||
                   kind == JournalKind::LockReleased;
    row.text = journal_sentence(r);
    row.holding_mask = holding;
    if (kind == JournalKind::EventSet || kind == JournalKind::EventConsumed) {
      row.event = r.arg < shmipc::kEventCount ? static_cast<int>(r.arg) : -1;
    }
    if (kind == JournalKind::EventSet && row.event >= 0) {
      row.to_lane = target_lane(static_cast<shmipc::EventId>(r.arg));
      if (row.to_lane == lane) row.to_lane = -1;
    }
    switch (kind) {
      case JournalKind::PeerDied:
      case JournalKind::OwnerDied:
      case JournalKind::TornWrite:
      case JournalKind::ChecksumMismatch:
      case JournalKind::MessageOverwritten:
      case JournalKind::MessageRefused:
        row.colour = UiColour::Dead;
        break;
      case JournalKind::EventSet:
        row.colour = UiColour::Signalled;
        break;
      case JournalKind::MessageWritten:
      case JournalKind::MessageRead:
        row.colour = UiColour::Text;
        break;
      case JournalKind::StepPending:
      case JournalKind::StepGranted:
        // Gate bookkeeping, not protocol: muted so the actions themselves stand out.
        row.colour = UiColour::Muted;
        break;
      default:
        row.colour = row.lock_row ? UiColour::Muted : UiColour::Text;
    }
    if (row.injected) row.colour = UiColour::Injected;
    if (reread) {
      row.anomaly = true;
      row.colour = UiColour::Dead;
      row.text += "  -- ANOMALY: message #" + std::to_string(r.value) +
                  " was already read (a second SendMessage for one message, e.g. set by hand)";
    }
    if (kind == JournalKind::LockReleased) holding &= ~(1u << lane);
    if (ui.diagram_show_locks || !row.lock_row) v.rows.push_back(std::move(row));
  }
  gap_rows_before(end_seq, true);
  for (std::size_t i = 0; i < 2; ++i) {
    v.lanes[i].label = who_text(v.lanes[i].role, v.lanes[i].pid);
  }
  if (!any_other) v.lanes.pop_back();
  if (in.time_origin_ns != 0) {
    v.time_origin_ns = in.time_origin_ns;
    v.time_caption = "t: s since the recording started";
  } else if (const shmipc::Snapshot* s = in.history.latest();
             s != nullptr && s->header.created_monotonic_ns != 0) {
    v.time_origin_ns = s->header.created_monotonic_ns;
    v.time_caption = "t: s since the block was created";
  } else if (!journal.empty()) {
    v.time_origin_ns = journal.front().record.t_ns;
    v.time_caption = "t: s since the first record shown";
  }
  if (v.rows.empty())
    v.status = "The journal is empty so far.";
  else if (ui.paused)
    v.status = "Paused: new records are held back.";
  return v;
}

}  // namespace shmscope
