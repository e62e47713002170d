// Screen rectangles of named widgets, recorded while a frame is drawn. The app can dump them
// (`shmscope --layout-dump FILE`) so a test driving the real window with xdotool knows where
// to click, instead of guessing pixel positions that change with the layout.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace shmscope {

struct WidgetRect {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // screen pixels (ImGui coordinates)
  int frame = 0;                         // ImGui frame count when recorded
};

// Well-known names, so panels and tests spell them the same way.
namespace widget {
inline constexpr std::string_view kJoinAsParent = "join_as_parent";
inline constexpr std::string_view kJoinAsChild = "join_as_child";
inline constexpr std::string_view kLeave = "leave";
inline constexpr std::string_view kMessageInput = "message_input";
inline constexpr std::string_view kSend = "send";
inline constexpr std::string_view kSendCommand = "send_command";
}  // namespace widget

// Records the last submitted ImGui item (GetItemRectMin/Max) under `name`. Call it right
// after the widget, e.g. `if (ImGui::Button("Send")) ...; record_widget(widget::kSend);`.
void record_widget(std::string_view name);

const std::map<std::string, WidgetRect, std::less<>>& recorded_widgets();
void clear_recorded_widgets();

}  // namespace shmscope
