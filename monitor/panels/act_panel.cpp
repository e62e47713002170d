// The Act panel: attach, join as parent or child, send messages and commands, inject.
// Every button only appends an ActionRequest; the app carries it out between frames.
#include <imgui.h>
#include <imgui_stdlib.h>

#include "panels/act_view.hpp"
#include "panels/panel_widgets.hpp"
#include "panels/panels.hpp"
#include "panels/view_text.hpp"
#include "shmipc/journal.hpp"
#include "ui/widget_registry.hpp"

namespace shmscope {

namespace {

ActionRequest request(ActionRequest::Kind kind) {
  ActionRequest a;
  a.kind = kind;
  return a;
}

bool button_if(bool enabled, const char* label, const std::string& why_not) {
  ImGui::BeginDisabled(!enabled);
  const bool pressed = ImGui::Button(label);
  ImGui::EndDisabled();
  if (!enabled && !why_not.empty() && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ImGui::SetTooltip("%s", why_not.c_str());
  }
  return pressed && enabled;
}

void error_text(const std::string& s) {
  text_wrapped_in(colour_vec4(UiColour::Corrupt), s.c_str());
}

// [SECTION] Session: attach by name or from the sessions found on the machine
void draw_session(const PanelInput& in, const ActView& v, UiState& ui, PanelOutput& out) {
  text_wrapped_in(colour_vec4(v.attached ? UiColour::Good : UiColour::Muted), v.status.c_str());
  if (ui.attach_input.empty() && !in.acting.session_name.empty()) {
    ui.attach_input = in.acting.session_name;
  }
  ImGui::SetNextItemWidth(200);
  const bool enter =
      ImGui::InputText("##attach", &ui.attach_input, ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if ((ImGui::Button("Attach") || enter) && !ui.attach_input.empty()) {
    ActionRequest a = request(ActionRequest::Kind::Attach);
    a.text = ui.attach_input;
    out.actions.push_back(a);
  }
  if (!v.attached) {
    ImGui::SameLine();
    if (button_if(v.can_start_parent, "Start session as parent", v.start_parent_why)) {
      ActionRequest a = request(ActionRequest::Kind::StartAsParent);
      a.text = ui.attach_input;
      out.actions.push_back(a);
    }
    record_widget("start_session_parent");
  }
  if (!in.acting.found_sessions.empty() &&
      ImGui::TreeNodeEx("Sessions on this machine", ImGuiTreeNodeFlags_DefaultOpen)) {
    for (const shmipc::SessionInfo& s : in.acting.found_sessions) {
      std::string state = s.foreign ? "not ours: " + s.problem
                          : s.stale ? "stale (nobody alive)"
                                    : std::string("parent ") + (s.parent_alive ? "alive" : "-") +
                                          ", child " + (s.child_alive ? "alive" : "-");
      const std::string label = s.name + "  (" + state + ")";
      ImGui::BeginDisabled(s.foreign);
      if (ImGui::Selectable(label.c_str(),
                            s.name == in.acting.session_name && in.acting.attached)) {
        ui.attach_input = s.name;
        ActionRequest a = request(ActionRequest::Kind::Attach);
        a.text = s.name;
        out.actions.push_back(a);
      }
      ImGui::EndDisabled();
    }
    ImGui::TreePop();
  }
}

// [SECTION] Roles
void draw_roles(const ActView& v, PanelOutput& out) {
  if (button_if(v.can_join_parent, "Join as parent", v.join_parent_why)) {
    out.actions.push_back(request(ActionRequest::Kind::JoinAsParent));
  }
  record_widget(widget::kJoinAsParent);
  ImGui::SameLine();
  if (button_if(v.can_join_child, "Join as child", v.join_child_why)) {
    out.actions.push_back(request(ActionRequest::Kind::JoinAsChild));
  }
  record_widget(widget::kJoinAsChild);
  ImGui::SameLine();
  if (button_if(v.can_leave, "Leave", "you are only observing")) {
    out.actions.push_back(request(ActionRequest::Kind::Leave));
  }
  record_widget(widget::kLeave);
}

// [SECTION] As child: send
void draw_child(const PanelInput& in, const ActView& v, UiState& ui, PanelOutput& out) {
  ImGui::TextColored(colour_vec4(UiColour::Child), "As child");
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - 180);
  const bool enter =
      ImGui::InputTextWithHint("##message", ui.message_is_hex ? "48 65 6c 6c 6f" : "a message",
                               &ui.message_input, ImGuiInputTextFlags_EnterReturnsTrue);
  record_widget(widget::kMessageInput);
  ImGui::SameLine();
  ImGui::Checkbox("hex", &ui.message_is_hex);
  ImGui::SameLine();
  const bool send = button_if(v.message.ok, "Send", v.message.error);
  record_widget(widget::kSend);
  if ((send || (enter && v.message.ok))) {
    ActionRequest a = request(ActionRequest::Kind::SendMessage);
    a.bytes = v.message.bytes;
    out.actions.push_back(a);
    ui.message_input.clear();
  }
  // Always one line here, so the widgets below never jump while the user types.
  if (!v.message.ok && !ui.message_input.empty()) {
    error_text(v.message.error);
  } else if (v.message.ok) {
    ImGui::TextColored(colour_vec4(UiColour::Muted), "%zu bytes", v.message.bytes.size());
    record_widget("message_size");  // drawn once typed text has reached the input
  } else {
    ImGui::TextColored(colour_vec4(UiColour::Muted), "text, or hex bytes; up to 1000 bytes");
  }
  const char* commands[] = {"KILL_APP", "PING"};
  int choice = ui.command_choice == static_cast<int>(shmipc::Command::Ping) ? 1 : 0;
  ImGui::SetNextItemWidth(120);
  if (ImGui::Combo("##command", &choice, commands, 2)) {
    ui.command_choice = choice == 1 ? static_cast<int>(shmipc::Command::Ping)
                                    : static_cast<int>(shmipc::Command::KillApp);
  }
  ImGui::SameLine();
  if (ImGui::Button("Send command")) {
    ActionRequest a = request(ActionRequest::Kind::SendCommand);
    a.command = choice == 1 ? shmipc::Command::Ping : shmipc::Command::KillApp;
    out.actions.push_back(a);
  }
  record_widget(widget::kSendCommand);
  int mode = in.acting.mode == shmipc::PeerMode::SeedFaithful ? 1 : 0;
  ImGui::SameLine(0, 20);
  if (ImGui::RadioButton("reliable", mode == 0) && mode != 0) {
    ActionRequest a = request(ActionRequest::Kind::SetMode);
    a.mode = shmipc::PeerMode::Reliable;
    out.actions.push_back(a);
  }
  ImGui::SameLine();
  if (ImGui::RadioButton("seed-faithful (10 ms polling)", mode == 1) && mode != 1) {
    ActionRequest a = request(ActionRequest::Kind::SetMode);
    a.mode = shmipc::PeerMode::SeedFaithful;
    out.actions.push_back(a);
  }
}

// [SECTION] As parent: what was received
void draw_parent(const PanelInput& in) {
  ImGui::TextColored(colour_vec4(UiColour::Parent), "As parent: received");
  const auto& log = in.acting.receive_log;
  if (log.empty()) {
    ImGui::TextColored(colour_vec4(UiColour::Muted), "Nothing received yet.");
    return;
  }
  if (ImGui::BeginTable("receive_log", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY,
                        ImVec2(0, ImGui::GetTextLineHeightWithSpacing() * 6))) {
    ImGui::TableSetupColumn("when", ImGuiTableColumnFlags_WidthFixed, 90);
    ImGui::TableSetupColumn("received");
    ImGui::TableSetupColumn("receipt", ImGuiTableColumnFlags_WidthFixed, 70);
    for (auto it = log.rbegin(); it != log.rend(); ++it) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(age_text(in.now_ns, it->t_ns).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(printable_preview(it->text, 80).c_str());
      ImGui::TableNextColumn();
      ImGui::TextColored(colour_vec4(it->receipt ? UiColour::Good : UiColour::Muted), "%s",
                         it->receipt ? "sent" : "-");
    }
    ImGui::EndTable();
  }
}

// [SECTION] Inject
void draw_inject(const ActView& v, UiState& ui, PanelOutput& out) {
  ImGui::TextColored(colour_vec4(UiColour::Injected), "Inject (marked as injected in the journal)");
  const char* events[shmipc::kEventCount];
  for (std::size_t i = 0; i < shmipc::kEventCount; ++i) {
    events[i] = shmipc::event_name(static_cast<shmipc::EventId>(i)).data();
  }
  if (ui.inject_event < 0 || ui.inject_event >= static_cast<int>(shmipc::kEventCount)) {
    ui.inject_event = 1;
  }
  ImGui::SetNextItemWidth(170);
  ImGui::Combo("##event", &ui.inject_event, events, static_cast<int>(shmipc::kEventCount));
  ImGui::SameLine();
  if (ImGui::Button("Set event")) {
    ActionRequest a = request(ActionRequest::Kind::InjectSetEvent);
    a.event = static_cast<shmipc::EventId>(ui.inject_event);
    out.actions.push_back(a);
  }
  ImGui::SameLine(0, 20);
  if (ImGui::Button("Flip childAck"))
    out.actions.push_back(request(ActionRequest::Kind::InjectFlipChildAck));
  ImGui::SetNextItemWidth(170);
  ImGui::SliderFloat("##hold", &ui.inject_hold_seconds, 0.5f, 30.0f, "%.1f s");
  ImGui::SameLine();
  if (ImGui::Button("Hold mutex")) {
    ActionRequest a = request(ActionRequest::Kind::InjectHoldMutex);
    a.seconds = ui.inject_hold_seconds;
    out.actions.push_back(a);
  }
  ImGui::SetNextItemWidth(80);
  ImGui::InputInt("data offset", &ui.inject_raw_offset, 0);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - 140);
  ImGui::InputTextWithHint("##raw", "bytes in hex", &ui.inject_raw_hex);
  ImGui::SameLine();
  if (button_if(v.raw_injection.ok, "Write bytes", v.raw_injection.error)) {
    ActionRequest a = request(ActionRequest::Kind::InjectRawData);
    a.offset = static_cast<std::uint32_t>(ui.inject_raw_offset);
    a.bytes = v.raw_injection.bytes;
    out.actions.push_back(a);
  }
  if (!ui.inject_raw_hex.empty() && !v.raw_injection.ok) {
    error_text(v.raw_injection.error);
  } else if (v.raw_injection.ok) {
    ImGui::TextColored(colour_vec4(UiColour::Muted), "%s", v.raw_injection_range.c_str());
  } else {
    ImGui::TextColored(colour_vec4(UiColour::Muted), "raw bytes go into data[offset...]");
  }
}

}  // namespace

void draw_act_panel(const PanelInput& in, UiState& ui, PanelOutput& out) {
  if (!ImGui::Begin("Act")) {
    ImGui::End();
    return;
  }
  if (!in.acting.playback_note.empty()) {
    // A recording: there is no live session to join or inject into.
    text_wrapped_in(colour_vec4(UiColour::Muted), in.acting.playback_note.c_str());
    record_widget("act_playback_note");
    ImGui::End();
    return;
  }
  const ActView v = make_act_view(in, ui);
  // The outcome of the last action first: at the bottom of a short panel it was out of sight
  // ("sent #1, receipt received" below the injection controls).
  if (!in.acting.last_error.empty()) error_text(in.acting.last_error);
  if (!in.acting.last_result.empty()) {
    text_wrapped_in(colour_vec4(UiColour::Good), in.acting.last_result.c_str());
    record_widget("act_outcome");
  }
  draw_session(in, v, ui, out);
  if (v.attached) {
    ImGui::Separator();
    draw_roles(v, out);
    if (v.as_child) {
      ImGui::Separator();
      draw_child(in, v, ui, out);
    }
    if (v.as_parent) {
      ImGui::Separator();
      draw_parent(in);
    }
    ImGui::Separator();
    draw_inject(v, ui, out);
  }
  ImGui::End();
}

}  // namespace shmscope
