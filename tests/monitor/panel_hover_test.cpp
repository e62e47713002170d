// Mouse over the panels: the hex view names the bytes under the mouse, and every panel stays
// sound when squeezed into the small tiles of the classroom layout.
#include <doctest/doctest.h>

#include <filesystem>

#include "panels/help_menu.hpp"

#include "panel_fixtures.hpp"

using namespace paneltest;
using namespace shmscope;
using shmipc::JournalKind;
using shmipc::Role;

namespace {

FakeBlock busy_block() {
  FakeBlock b = two_peers();
  b.mutex_held(Role::Child, kChildPid, kT0 + 100 * kMs, 1);
  b.event_signalled(shmipc::EventId::SendMessage, Role::Child, kChildPid, kT0 + 90 * kMs);
  b.journal(JournalKind::LockAcquired, Role::Child, kChildPid, kT0 + 100 * kMs);
  b.journal(JournalKind::MessageWritten, Role::Child, kChildPid, kT0 + 101 * kMs, 5, 1, "hello");
  b.journal(JournalKind::LockRequested, Role::Parent, kParentPid, kT0 + 102 * kMs);
  return b;
}

}  // namespace

TEST_CASE("hovering the hex view over the first bytes names header.magic and lights it") {
  Gui gui;
  SessionHistory h;
  busy_block().ingest_into(h, kT0 + 200 * kMs);
  ActingState acting;
  acting.attached = true;
  UiState ui;
  PanelOutput out;
  auto draw = [&] {
    ui.begin_frame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(1000, 500));
    draw_block_panel({h, acting, kT0 + 300 * kMs}, ui, out);
  };
  gui.frame(draw);
  bool magic = false, data_size = false;
  // Only the right part of the panel: the decoded-field list on the left lights the same
  // ranges, and this test is about the hex view's own hit-testing.
  for (float y = 20; y < 200 && !(magic && data_size); y += 3) {
    for (float x = 430; x < 990; x += 6) {
      ImGui::GetIO().MousePos = ImVec2(x, y);
      gui.frame(draw);
      const Highlight& hv = ui.hover;
      if (hv.target == Highlight::Target::BlockRange && hv.offset == 0 && hv.size == 8) {
        magic = true;
      }
      if (hv.target == Highlight::Target::BlockRange && hv.offset == 80 && hv.size == 4) {
        data_size = true;
      }
    }
  }
  CHECK(magic);
  CHECK(data_size);
  CHECK(out.actions.empty());
}

TEST_CASE("every panel renders in a small tile while the mouse moves over it") {
  Gui gui;
  SessionHistory h;
  busy_block().ingest_into(h, kT0 + 200 * kMs, true, false);
  ActingState acting;
  acting.attached = true;
  acting.role = Role::Child;
  UiState ui;
  PanelOutput out;
  using Draw = void (*)(const PanelInput&, UiState&, PanelOutput&);
  for (Draw d : {&draw_block_panel, &draw_mutex_panel, &draw_events_panel, &draw_participants_panel,
                 &draw_sequence_panel, &draw_act_panel, &draw_metrics_panel}) {
    for (float p = 0; p < 1; p += 0.1f) {
      ImGui::GetIO().MousePos = ImVec2(20 + 360 * p, 20 + 180 * p);
      gui.frame([&] {
        ui.begin_frame();
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(ImVec2(400, 220));
        d({h, acting, kT0 + 300 * kMs}, ui, out);
      });
    }
  }
  CHECK(gui.frames() == 70);
}

TEST_CASE("the Help menu names the quit key and every documentation file it points at exists") {
  bool quit_listed = false;
  for (const auto& k : shmscope::help_keys()) quit_listed = quit_listed || k.keys == "Ctrl+Q";
  CHECK(quit_listed);
  for (const auto& d : shmscope::help_docs()) {
    const std::string file = d.substr(0, d.find(':'));
    if (file.rfind("shmscope --help", 0) == 0) continue;
    CAPTURE(file);
    CHECK(std::filesystem::exists(std::string(SHMSCOPE_SOURCE_DIR) + "/" + file));
  }
}
