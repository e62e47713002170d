#include "app/layout_dump.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <imgui.h>
#include <imgui_internal.h>

#include "ui/widget_registry.hpp"

namespace shmscope {

void LayoutDump::write_if_changed() {
  if (path_.empty()) return;
  std::ostringstream text;
  const int frame = ImGui::GetFrameCount();
  for (const auto& [name, r] : recorded_widgets()) {
    // Only widgets drawn in the last frames: a widget that vanished must not be clicked.
    if (frame - r.frame > 2) continue;
    text << name << ' ' << static_cast<int>(r.x0) << ' ' << static_cast<int>(r.y0) << ' '
         << static_cast<int>(r.x1) << ' ' << static_cast<int>(r.y1) << '\n';
  }
  // Frames drawn so far: a test sees an idle window draw nothing, and a change draw at once.
  text << "frames_drawn " << frame << " 0 0 0\n";
  // The work area panels are laid out in (the window below the menu bar).
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  text << "viewport " << static_cast<int>(vp->WorkPos.x) << ' ' << static_cast<int>(vp->WorkPos.y)
       << ' ' << static_cast<int>(vp->WorkPos.x + vp->WorkSize.x) << ' '
       << static_cast<int>(vp->WorkPos.y + vp->WorkSize.y) << '\n';
  // Every visible top-level window, so a test can find each panel and its title bar.
  for (ImGuiWindow* w : ImGui::GetCurrentContext()->Windows) {
    if (!w->WasActive || w->Hidden || (w->Flags & ImGuiWindowFlags_ChildWindow) != 0) continue;
    const ImRect title = w->TitleBarRect();
    std::string name = w->Name;
    for (char& c : name) {
      if (c == ' ') c = '_';
    }
    text << "window:" << name << ' ' << static_cast<int>(w->Pos.x) << ' '
         << static_cast<int>(w->Pos.y) << ' ' << static_cast<int>(w->Pos.x + w->Size.x) << ' '
         << static_cast<int>(w->Pos.y + w->Size.y) << ' ' << static_cast<int>(title.Max.y) << '\n';
    // How wide its content reached last frame against the width it has: wider means something
    // (a row of buttons, a line of text) is cut off at the right edge.
    // Both measured in the same frame (ContentSize is the previous frame's).
    text << "content:" << name << ' '
         << static_cast<int>(w->DC.CursorMaxPos.x - w->DC.CursorStartPos.x) << ' '
         << static_cast<int>(w->ContentRegionRect.GetWidth()) << " 0 0\n";
  }
  if (text.str() == last_) return;
  last_ = text.str();
  const std::string tmp = path_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << last_;
  }
  std::rename(tmp.c_str(), path_.c_str());
}

}  // namespace shmscope
