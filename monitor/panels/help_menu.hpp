// The Help menu: the keys, what each colour means (every state also has its word), and where
// the documentation is.
#pragma once

#include <string>
#include <vector>

namespace shmscope {

struct HelpKey {
  std::string keys;
  std::string action;
};
std::vector<HelpKey> help_keys();
std::vector<std::string> help_docs();  // "docs/TEACHING.md: the lesson plan", ...

// Draws the menu inside the main menu bar.
void draw_help_menu();

}  // namespace shmscope
