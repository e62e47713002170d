// Everything the views remember between frames. Cross-panel highlighting works through
// `hover`: a panel sets what is under the mouse this frame, every panel reads last frame's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "shmipc/block.hpp"
#include "ui/live_layout_state.hpp"

namespace shmscope {

struct Highlight {
  enum class Target { None, JournalEntry, BlockRange, Event, Participant, Mutex };
  Target target = Target::None;
  std::uint64_t journal_seq = 0;
  std::size_t offset = 0;  // BlockRange: byte offset in the block
  std::size_t size = 0;
  int index = -1;  // Event / Participant index
};

struct UiState {
  Highlight hover;       // being written this frame
  Highlight hover_prev;  // last frame's, read by every panel
  // Hex view selection [begin, end) in block offsets; begin == end: none.
  std::size_t selection_begin = 0;
  std::size_t selection_end = 0;
  std::size_t selection_anchor = 0;  // where a click-drag or shift-click started
  bool hex_dragging = false;
  std::int64_t hex_scroll_to = -1;        // block offset the hex view scrolls to next frame
  std::uint64_t paused_journal_next = 0;  // sequence diagram: journal end when paused
  bool diagram_show_locks = true;
  float lock_window_seconds = 10.0f;  // Mutex panel: how much history the lock lanes show // lock
                                      // requested/acquired/released rows
  bool paused = false;
  double diagram_zoom = 1.0;             // pixels per millisecond scale factor
  double diagram_scroll_ns = 0;          // offset from the newest record when paused
  std::int64_t pinned_journal_seq = -1;  // clicked entry: show the block as it was after it
  // Act panel inputs
  std::string message_input;
  bool message_is_hex = false;
  int command_choice = 1;  // shmipc::Command
  int inject_event = 1;    // shmipc::EventId
  float inject_hold_seconds = 2.0f;
  std::string inject_raw_hex;
  int inject_raw_offset = 0;
  std::string attach_input;
  float ui_scale = 1.0f;
  // The classroom moved to another step: the diagram scrolls to its newest row once.
  bool diagram_scroll_to_newest = false;
  // The diagram keeps its newest row in view until the user scrolls up (wheel or scrollbar);
  // scrolling back to the end follows again.
  bool diagram_follow = true;
  LiveLayoutState live_layout;
  // Presentation: the Block panel shows its decoded fields only (no hex view), large enough to
  // read from the back of a room.
  bool block_fields_only = false;

  void begin_frame() {
    hover_prev = hover;
    hover = Highlight{};
  }
};

}  // namespace shmscope
