// The Act panel: what may be done, input parsing, and clicks that become ActionRequests.
#include <doctest/doctest.h>

#include "panel_fixtures.hpp"
#include "panels/act_view.hpp"
#include "panels/panels.hpp"
#include "ui/widget_registry.hpp"

using namespace paneltest;
using namespace shmscope;
using shmipc::Role;

TEST_CASE("message input is taken as text, or as validated hex, and never truncated") {
  CHECK(parse_input_bytes("hello", false).bytes == "hello");
  const ParsedBytes hex = parse_input_bytes("48 65 0x6c,6C 6f", true);
  CHECK(hex.ok);
  CHECK(hex.bytes == "Hello");
  const ParsedBytes bad = parse_input_bytes("48 6G", true);
  CHECK_FALSE(bad.ok);
  CHECK(bad.error == "'G' at position 4 is not a hex digit (use 0-9, a-f, e.g. 48 65 6c 6c 6f)");
  const ParsedBytes odd = parse_input_bytes("486", true);
  CHECK_FALSE(odd.ok);
  CHECK(odd.error.find("pairs") != std::string::npos);
  const ParsedBytes big = parse_input_bytes(std::string(1001, 'x'), false);
  CHECK_FALSE(big.ok);
  CHECK(big.error.find("1001 bytes is over the capacity of 1000") == 0);
  CHECK(parse_input_bytes(std::string(1000, 'x'), false).ok);
}

TEST_CASE("joining is offered only for a free slot, with the reason when it is not") {
  SessionHistory h;
  FakeBlock b;
  b.participant(0, Role::Parent, kParentPid);
  b.ingest_into(h, kT0);
  ActingState acting;
  acting.attached = true;
  acting.session_name = "KBuildDevelop";
  UiState ui;
  ActView v = make_act_view({h, acting, kT0}, ui);
  CHECK(v.status == "Attached to KBuildDevelop as observer.");
  CHECK_FALSE(v.can_join_parent);
  CHECK(v.join_parent_why == "a live parent (pid 4241) has the slot");
  CHECK(v.can_join_child);
  CHECK_FALSE(v.can_leave);

  SessionHistory dead;
  b.participant(1, Role::Child, kChildPid);
  b.ingest_into(dead, kT0, true, /*child_alive=*/false);
  CHECK(make_act_view({dead, acting, kT0}, ui).can_join_child);  // a dead child's slot is free

  ActingState none;
  v = make_act_view({h, none, kT0}, ui);
  CHECK(v.status.find("No session attached") == 0);
  CHECK(v.join_child_why == "attach to a session first");

  UiState raw;
  raw.inject_raw_offset = 998;
  raw.inject_raw_hex = "01 02 03";
  v = make_act_view({h, acting, kT0}, raw);
  CHECK_FALSE(v.raw_injection.ok);  // data[998..1001) would run past data[1000]
  raw.inject_raw_hex = "01 02";
  v = make_act_view({h, acting, kT0}, raw);
  CHECK(v.raw_injection.ok);
  CHECK(v.raw_injection_range == "writes data[998, 1000)");
}

TEST_CASE("clicking Join as child, typing and clicking Send emit the matching requests") {
  Gui gui;
  SessionHistory h;
  FakeBlock b;
  b.participant(0, Role::Parent, kParentPid);
  b.ingest_into(h, kT0);
  ActingState acting;
  acting.attached = true;
  acting.session_name = "KBuildDevelop";
  UiState ui;
  PanelOutput out;
  auto draw = [&] {
    ui.begin_frame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(700, 500));
    draw_act_panel({h, acting, kT0}, ui, out);
  };
  clear_recorded_widgets();
  for (int i = 0; i < 2; ++i) gui.frame(draw);
  gui.click_widget(widget::kJoinAsChild, draw);
  REQUIRE(out.actions.size() == 1);
  CHECK(out.actions[0].kind == ActionRequest::Kind::JoinAsChild);

  out.actions.clear();
  acting.role = Role::Child;  // the app carried the request out
  for (int i = 0; i < 2; ++i) gui.frame(draw);
  gui.click_widget(widget::kMessageInput, draw);
  gui.type("hi there", draw);
  CHECK(ui.message_input == "hi there");
  gui.frame(draw);
  gui.click_widget(widget::kSend, draw);
  REQUIRE(out.actions.size() == 1);
  CHECK(out.actions[0].kind == ActionRequest::Kind::SendMessage);
  CHECK(out.actions[0].bytes == "hi there");
  CHECK(ui.message_input.empty());

  out.actions.clear();
  gui.click_widget(widget::kSendCommand, draw);
  REQUIRE(out.actions.size() == 1);
  CHECK(out.actions[0].kind == ActionRequest::Kind::SendCommand);
  CHECK(out.actions[0].command == shmipc::Command::KillApp);
}

TEST_CASE("the act panel renders as observer, child and parent without an ImGui assertion") {
  Gui gui;
  SessionHistory h;
  two_peers().ingest_into(h, kT0);
  ActingState acting;
  UiState ui;
  PanelOutput out;
  auto draw = [&] {
    ui.begin_frame();
    draw_act_panel({h, acting, kT0 + kMs}, ui, out);
  };
  gui.frame(draw);  // not attached
  acting.attached = true;
  acting.found_sessions = {{"KBuildDevelop", true, true, false, false, ""},
                           {"old", false, false, true, false, ""}};
  gui.frame(draw);
  acting.role = Role::Parent;
  acting.receive_log = {{kT0, "hello", true}, {kT0, "KILL_APP", false}};
  acting.last_error = "the parent left";
  gui.frame(draw);
  acting.role = Role::Child;
  ui.message_input = "zz";
  ui.message_is_hex = true;
  gui.frame(draw);
  CHECK(out.actions.empty());
}

TEST_CASE("with no session attached the Act panel offers to start one as parent, under a valid name") {
  SessionHistory h;
  ActingState acting;  // not attached
  UiState ui;
  ui.attach_input = "lab";
  ActView v = make_act_view({h, acting, kT0}, ui);
  CHECK_FALSE(v.attached);
  CHECK(v.can_start_parent);
  CHECK(v.status.find("Start one") != std::string::npos);
  ui.attach_input = "bad name!";
  v = make_act_view({h, acting, kT0}, ui);
  CHECK_FALSE(v.can_start_parent);
  CHECK_FALSE(v.start_parent_why.empty());
  ui.attach_input.clear();
  CHECK(make_act_view({h, acting, kT0}, ui).start_parent_why == "type a session name first");
  acting.attached = true;  // attached: joining is the way, not starting
  ui.attach_input = "lab";
  CHECK_FALSE(make_act_view({h, acting, kT0}, ui).can_start_parent);
}

TEST_CASE("the outcome of the last action is shown at the top of the Act panel, above the controls") {
  Gui gui;
  SessionHistory h;
  two_peers().ingest_into(h, kT0);
  ActingState acting;
  acting.attached = true;
  acting.role = Role::Child;
  acting.last_result = "sent #1, receipt received";
  UiState ui;
  PanelOutput out;
  clear_recorded_widgets();
  gui.frame([&] {
    ui.begin_frame();
    draw_act_panel({h, acting, kT0 + kMs}, ui, out);
  });
  const auto& w = recorded_widgets();
  REQUIRE(w.count("act_outcome") == 1);
  const auto join = w.find(widget::kJoinAsParent);
  REQUIRE(join != w.end());
  CHECK(w.find("act_outcome")->second.y1 <= join->second.y0);
}

TEST_CASE("the byte count under the message input is drawn only once there is a message to send") {
  Gui gui;
  SessionHistory h;
  two_peers().ingest_into(h, kT0);
  ActingState acting;
  acting.attached = true;
  acting.role = Role::Child;
  UiState ui;
  PanelOutput out;
  auto drawn_with = [&](const std::string& typed) {
    ui.message_input = typed;
    clear_recorded_widgets();
    gui.frame([&] {
      ui.begin_frame();
      draw_act_panel({h, acting, kT0 + kMs}, ui, out);
    });
    return recorded_widgets().count("message_size") == 1;
  };
  CHECK_FALSE(drawn_with(""));
  CHECK(drawn_with("hello"));
  ui.message_is_hex = true;
  CHECK_FALSE(drawn_with("48 6G"));
}
