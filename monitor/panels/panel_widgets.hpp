// Small drawing pieces several panels share: a lamp, a colour legend entry, a key/value row.
#pragma once

#include <imgui.h>

#include "ui/palette.hpp"

namespace shmscope {

// A filled circle the height of a text line, followed on the same line by nothing.
void draw_lamp(UiColour colour, bool lit);
// A small colour swatch and its word, on the current line.
void draw_legend_item(UiColour colour, const char* words);
// Begins/ends a two-column key/value table.
bool begin_key_values(const char* id, float key_width);
void key_value(const char* key, const char* value, UiColour colour = UiColour::Text);
void end_key_values();

// SameLine() when an item `width` pixels wide still fits on the current line, else nothing
// (the next item starts a new line): rows of buttons wrap instead of being cut off when a
// projector's font makes them wider than the panel.
void same_line_if_fits(float width);
// The width of a button labelled `label` at the current font.
float button_width(const char* label);

// Coloured text that wraps at the panel's edge (large presentation fonts).
void text_wrapped_in(const ImVec4& colour, const char* text);

}  // namespace shmscope
