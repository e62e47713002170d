// What the views of a user's segment remember between frames, and what they ask the app to do.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>

namespace shmscope::inspect {

struct InspectUi {
  std::uint64_t now_ns = 0;  // monotonic time of this frame (glow fades against it)

  // The field lit up in every view: the one under the mouse in any view last frame, else the
  // selected one. Hovering the tree lights its bytes; hovering a byte lights its field.
  std::string highlight;
  std::string hovered_path;  // written by the views during a frame
  std::int64_t hovered_byte = -1;
  std::string selected_path;

  // One-shot scroll requests between the views (a click in one brings the other to it).
  std::string scroll_tree_to;
  std::uint64_t scroll_hex_to = std::numeric_limits<std::uint64_t>::max();

  std::set<std::string> collapsed;  // tree rows the user closed
  std::set<std::string> expanded;   // rows closed by default (large arrays) the user opened

  char watch_text[256] = {};
  std::string watch_error;

  void begin_frame() {
    highlight = hovered_path.empty() ? selected_path : hovered_path;
    hovered_path.clear();
    hovered_byte = -1;
  }
};

struct InspectActions {
  std::optional<std::string> set_watch;
  bool clear_watch = false;
  bool resume = false;
  bool pause = false;
  std::optional<std::string> keep_history;  // a field the user selected: plot it
};

}  // namespace shmscope::inspect
