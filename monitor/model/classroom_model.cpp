#include "model/classroom_model.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "shmipc/journal.hpp"
#include "shmipc/narration.hpp"

namespace shmscope {

namespace {

using shmipc::JournalKind;

bool is_heartbeat(const BlockField& f) {
  return f.name.find("heartbeat") != std::string::npos;
}

// Actions a step gate can hold, i.e. what a quiz can offer as "what happens next".
constexpr std::array kGatedKinds{
    JournalKind::LockRequested, JournalKind::LockReleased,   JournalKind::EventSet,
    JournalKind::EventConsumed, JournalKind::MessageWritten, JournalKind::MessageRead,
    JournalKind::AckWritten,    JournalKind::CommandWritten, JournalKind::CommandRead,
};

}  // namespace

const shmipc::Snapshot* snapshot_at_step(const std::vector<shmipc::ScenarioStep>& steps,
                                         std::size_t index) {
  if (steps.empty()) return nullptr;
  index = std::min(index, steps.size() - 1);
  for (std::size_t i = index + 1; i-- > 0;) {
    if (steps[i].has_snapshot) return &steps[i].snapshot;
  }
  return nullptr;
}

SessionHistory history_at_step(const std::vector<shmipc::ScenarioStep>& steps, std::size_t index) {
  SessionHistory h(shmipc::kMaxKeptSnapshots + 1, 1 << 16);
  if (steps.empty()) return h;
  index = std::min(index, steps.size() - 1);
  for (std::size_t i = 0; i <= index; ++i) {
    if (!steps[i].has_snapshot) continue;
    const shmipc::Snapshot& s = steps[i].snapshot;
    // A reclaimed block (a new epoch) starts its journal again at 0: read it from the start.
    const std::uint64_t from = s.journal_next < h.journal_next() ? 0 : h.journal_next();
    h.ingest(s, shmipc::journal_decode(s.raw, from));
  }
  return h;
}

std::vector<shmipc::PendingAction> parked_in_snapshot(const shmipc::Snapshot& snap) {
  std::vector<shmipc::PendingAction> out;
  for (std::size_t i = 0; i < snap.participants.size(); ++i) {
    const shmipc::SnapshotParticipant& p = snap.participants[i];
    if (!p.in_use() || p.step_pending == JournalKind::None || p.step_grants != p.step_taken)
      continue;
    shmipc::PendingAction a;
    a.slot = static_cast<int>(i);
    a.role = p.role;
    a.pid = p.pid;
    a.kind = p.step_pending;
    a.arg = p.step_pending_arg;
    a.since = i;
    a.alive = p.alive;
    out.push_back(a);
  }
  return out;
}

std::string narration_of_journal_entry(const SessionHistory& history, std::uint64_t seq) {
  const auto& j = history.journal();
  auto it = std::lower_bound(
      j.begin(), j.end(), seq,
      [](const shmipc::JournalItem& item, std::uint64_t s) { return item.seq < s; });
  if (it == j.end() || it->seq != seq) return {};
  return shmipc::narrate_record(it->record);
}

std::vector<BlockField> changed_fields(const shmipc::Snapshot& before,
                                       const shmipc::Snapshot& after) {
  std::vector<BlockField> out;
  const std::size_t n = std::min(before.raw.size(), after.raw.size());
  const std::size_t journal_at = region_offset(FieldRegion::Journal);
  bool journal_changed = false;
  std::size_t i = 0;
  while (i < after.raw.size()) {
    const bool differs = i >= n || before.raw[i] != after.raw[i];
    if (!differs) {
      ++i;
      continue;
    }
    if (i >= journal_at) {
      journal_changed = true;
      break;  // the journal is the last region: one entry for all of it
    }
    std::optional<BlockField> f = field_at(i);
    if (!f) break;
    if (!is_heartbeat(*f)) out.push_back(*f);
    i = std::max(i + 1, f->offset + f->size);
  }
  if (journal_changed) {
    BlockField j;
    j.name = "journal";
    j.offset = journal_at;
    j.size = after.raw.size() > journal_at ? after.raw.size() - journal_at : 0;
    j.region = FieldRegion::Journal;
    out.push_back(j);
  }
  return out;
}

std::vector<BlockField> fields_changed_by_step(const std::vector<shmipc::ScenarioStep>& steps,
                                               std::size_t index) {
  if (index >= steps.size() || !steps[index].has_snapshot) return {};
  const shmipc::Snapshot* before = index == 0 ? nullptr : snapshot_at_step(steps, index - 1);
  if (before == nullptr) {
    shmipc::Snapshot empty;
    empty.raw.assign(steps[index].snapshot.raw.size(), std::byte{0});
    return changed_fields(empty, steps[index].snapshot);
  }
  return changed_fields(*before, steps[index].snapshot);
}

QuizQuestion make_quiz_question(const std::vector<shmipc::PendingAction>& parked,
                                std::size_t for_step) {
  QuizQuestion q;
  q.for_step = for_step;
  for (const auto& p : parked) {
    if (!p.alive) continue;
    const bool seen = std::any_of(q.choices.begin(), q.choices.end(), [&](const QuizChoice& c) {
      return c.kind == p.kind && c.role == p.role;
    });
    if (seen || q.choices.size() >= 2) continue;
    q.choices.push_back({p.kind, p.role, shmipc::narrate_pending(p)});
  }
  if (q.choices.empty()) return q;
  // Distractors: other gated actions of the same peer, picked by the step number, so the
  // same step asks the same question every time.
  const shmipc::Role role = q.choices.front().role;
  std::size_t pick = for_step * 7 + 3;
  for (std::size_t tries = 0; q.choices.size() < 4 && tries < kGatedKinds.size() * 2; ++tries) {
    const JournalKind k = kGatedKinds[pick % kGatedKinds.size()];
    pick += 5;
    const bool taken = std::any_of(q.choices.begin(), q.choices.end(),
                                   [&](const QuizChoice& c) { return c.kind == k; });
    if (taken) continue;
    shmipc::NarrationFacts facts;
    facts.kind = k;
    facts.role = role;
    // Plausible arguments: the events a peer of this role sets or waits for.
    if (k == JournalKind::EventSet || k == JournalKind::EventConsumed) {
      const bool parent = role == shmipc::Role::Parent;
      facts.arg = static_cast<std::uint32_t>((k == JournalKind::EventSet) == parent
                                                 ? shmipc::EventId::ReceiveMessage
                                                 : shmipc::EventId::SendMessage);
    }
    if (k == JournalKind::CommandWritten || k == JournalKind::CommandRead)
      facts.arg = static_cast<std::uint32_t>(shmipc::Command::KillApp);
    q.choices.push_back({k, role, shmipc::narrate_pending(facts)});
  }
  // Rotate so the right answer is not always first.
  std::rotate(q.choices.begin(), q.choices.begin() + static_cast<long>(for_step % q.choices.size()),
              q.choices.end());
  return q;
}

bool quiz_answer_right(const QuizQuestion& q, int chosen, const shmipc::ScenarioStep& actual) {
  if (chosen < 0 || static_cast<std::size_t>(chosen) >= q.choices.size()) return false;
  const QuizChoice& c = q.choices[static_cast<std::size_t>(chosen)];
  return c.kind == actual.kind && (actual.role == shmipc::Role::None || c.role == actual.role);
}

}  // namespace shmscope
