// View model of the Sequence diagram: lifelines (parent, child, others) and one row per
// journal record, with the arrow an event set draws and where the mutex was held.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "panels/panels.hpp"
#include "ui/palette.hpp"

namespace shmscope {

struct Lifeline {
  std::string label;  // "parent (pid 4241)"
  shmipc::Role role = shmipc::Role::None;
  std::uint32_t pid = 0;
};

struct SequenceRow {
  std::uint64_t seq = 0;
  std::uint64_t t_ns = 0;
  shmipc::JournalKind kind = shmipc::JournalKind::None;
  int from_lane = -1;  // who acted
  int to_lane = -1;    // arrow target for an event set, -1 none
  int event = -1;      // EventId for EventSet / EventConsumed
  bool injected = false;
  bool anomaly = false;  // a protocol anomaly, such as one message read twice
  bool lock_row = false;           // LockRequested / Acquired / Released
  bool gap = false;                // records lost to the ring here (seq = the first lost)
  std::string text;                // "child sets SendMessage"
  std::uint32_t holding_mask = 0;  // bit i: lane i holds the mutex at this row
  UiColour colour = UiColour::Text;
};

struct SequenceView {
  std::string status;  // no session / empty journal / paused
  std::vector<Lifeline> lanes;
  std::vector<SequenceRow> rows;
  std::uint64_t time_origin_ns = 0;  // times are shown relative to this
  std::string time_caption;          // what that instant is, e.g. "t: s since the recording started"
};

// The sentence a journal record says, e.g. "child writes \"hello\" (5 bytes, message #3)".
std::string journal_sentence(const shmipc::JournalRecord& r);

SequenceView make_sequence_view(const PanelInput& in, const UiState& ui,
                                std::size_t max_rows = 3000);

}  // namespace shmscope
