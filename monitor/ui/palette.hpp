// Every state the monitor shows, its word and its colour, in one place. The colours are the
// Okabe-Ito palette (distinguishable with the common colour-vision deficiencies), and every
// state also has a word, so no panel relies on colour alone.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <string_view>

#include "shmipc/block.hpp"

namespace shmscope {

enum class UiColour {
  Free,       // mutex free
  Held,       // mutex held, nobody waiting
  Contended,  // mutex held while another waits
  Waiting,    // waiting for the mutex or an event
  Signalled,  // event lamp on
  Clear,      // event lamp off
  Alive,
  Dead,
  Corrupt,
  Injected,   // an observer acted on the block
  Glow,       // bytes that changed recently
  Selection,  // hex selection
  Hover,      // cross-panel highlight
  Past,       // viewing a pinned snapshot, not the live block
  Parent,
  Child,
  OtherRole,
  Text,
  Muted,
  Good,  // checksum ok, consistent
  Count,
};

struct UiColourInfo {
  std::string_view name;  // the word shown next to the colour
  ImU32 colour;
};

const UiColourInfo& colour_info(UiColour c);
inline ImU32 colour_u32(UiColour c) {
  return colour_info(c).colour;
}
ImVec4 colour_vec4(UiColour c);
ImU32 colour_with_alpha(UiColour c, float alpha);  // alpha 0..1

UiColour role_colour(shmipc::Role role);

// Adds the monitor's font at `scale` (DejaVu Sans with the glyphs messages commonly carry:
// Latin, Greek, Cyrillic, punctuation, arrows, shapes, dingbats such as the check mark), or
// ImGui's built-in font where DejaVu is not installed. One place for the window and F5.
void add_monitor_font(float scale);

// The monitor's ImGui style: dark, roomy, readable from the back of a classroom.
void apply_monitor_style(float scale);

}  // namespace shmscope
