// The Sequence diagram: rows, arrows and lock bars from the journal; pause and pinning.
#include <doctest/doctest.h>

#include <cmath>

#include <imgui_internal.h>

#include "panel_fixtures.hpp"
#include "panels/panels.hpp"
#include "panels/sequence_view.hpp"

using namespace paneltest;
using namespace shmscope;
using shmipc::EventId;
using shmipc::JournalKind;
using shmipc::Role;

namespace {

// The article's message sequence: child locks, writes, unlocks, sets SendMessage; the parent
// wakes, locks, reads, unlocks, sets ReceiveMessage.
FakeBlock message_exchange() {
  FakeBlock b = two_peers();
  std::uint64_t t = kT0 + 100 * kMs;
  auto j = [&](JournalKind k, Role r, std::uint32_t pid, std::uint32_t arg = 0, std::uint64_t v = 0,
               const std::string& p = {}) { b.journal(k, r, pid, t += kMs, arg, v, p); };
  j(JournalKind::LockRequested, Role::Child, kChildPid);
  j(JournalKind::LockAcquired, Role::Child, kChildPid);
  j(JournalKind::MessageWritten, Role::Child, kChildPid, 5, 1, "hello");
  j(JournalKind::LockReleased, Role::Child, kChildPid, 0, 2 * kMs);
  j(JournalKind::EventSet, Role::Child, kChildPid,
    static_cast<std::uint32_t>(EventId::SendMessage));
  j(JournalKind::EventConsumed, Role::Parent, kParentPid,
    static_cast<std::uint32_t>(EventId::SendMessage), 3 * kMs);
  j(JournalKind::LockRequested, Role::Parent, kParentPid);
  j(JournalKind::LockAcquired, Role::Parent, kParentPid);
  j(JournalKind::MessageRead, Role::Parent, kParentPid, 5, 1, "hello");
  j(JournalKind::LockReleased, Role::Parent, kParentPid, 0, kMs);
  j(JournalKind::EventSet, Role::Parent, kParentPid,
    static_cast<std::uint32_t>(EventId::ReceiveMessage));
  return b;
}

}  // namespace

TEST_CASE("the sequence view draws event sets as arrows between lifelines and lock holds as bars") {
  SessionHistory h;
  message_exchange().ingest_into(h, kT0 + 200 * kMs);
  ActingState acting;
  acting.attached = true;
  UiState ui;
  const SequenceView v = make_sequence_view({h, acting, kT0 + 200 * kMs}, ui);
  REQUIRE(v.lanes.size() == 2);
  CHECK(v.lanes[0].label == "parent (pid 4241)");
  CHECK(v.lanes[1].label == "child (pid 4242)");
  REQUIRE(v.rows.size() == 11);
  const SequenceRow& written = v.rows[2];
  CHECK(written.text == "child writes \"hello\" (5 bytes, message #1)");
  CHECK(written.holding_mask == 0b10);  // the child holds the mutex while it writes
  const SequenceRow& set = v.rows[4];
  CHECK(set.text == "child sets SendMessage");
  CHECK(set.from_lane == 1);
  CHECK(set.to_lane == 0);
  CHECK(set.holding_mask == 0);
  CHECK(v.rows[8].text == "parent reads message #1 \"hello\" (5 bytes)");
  CHECK(v.rows[8].holding_mask == 0b01);
  CHECK(v.rows[10].from_lane == 0);
  CHECK(v.rows[10].to_lane == 1);

  ui.diagram_show_locks = false;
  const SequenceView no_locks = make_sequence_view({h, acting, kT0 + 200 * kMs}, ui);
  CHECK(no_locks.rows.size() == 5);
  CHECK(no_locks.rows[0].holding_mask == 0b10);  // the bar stays where the lock rows went
}

TEST_CASE("a paused diagram holds back records that arrive later") {
  SessionHistory h;
  FakeBlock b = message_exchange();
  b.ingest_into(h, kT0 + 200 * kMs);
  ActingState acting;
  acting.attached = true;
  UiState ui;
  ui.paused = true;
  ui.paused_journal_next = h.journal_next();
  b.journal(JournalKind::Note, Role::Parent, kParentPid, kT0 + 300 * kMs, 0, 0, "later");
  b.ingest_into(h, kT0 + 400 * kMs);
  CHECK(make_sequence_view({h, acting, kT0}, ui).rows.size() == 11);
  ui.paused = false;
  CHECK(make_sequence_view({h, acting, kT0}, ui).rows.size() == 12);
}

TEST_CASE("an injected record is marked in words and colour") {
  SessionHistory h;
  FakeBlock b = two_peers();
  b.journal(JournalKind::EventSet, Role::Tool, 999, kT0 + kMs,
            static_cast<std::uint32_t>(EventId::SendMessage), 0, {}, shmipc::kJournalFlagInjected);
  b.ingest_into(h, kT0 + 2 * kMs);
  ActingState acting;
  UiState ui;
  const SequenceView v = make_sequence_view({h, acting, kT0}, ui);
  REQUIRE(v.rows.size() == 1);
  CHECK(v.rows[0].text == "tool sets SendMessage [injected]");
  CHECK(v.rows[0].colour == UiColour::Injected);
  CHECK(v.lanes.size() == 3);  // an "others" lifeline for the tool
  CHECK(v.rows[0].to_lane == 0);
}

TEST_CASE("clicking a row pins it and Pause asks the app to pause") {
  Gui gui;
  SessionHistory h;
  message_exchange().ingest_into(h, kT0 + 200 * kMs);
  ActingState acting;
  acting.attached = true;
  UiState ui;
  PanelOutput out;
  auto draw = [&] {
    ui.begin_frame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(900, 500));
    draw_sequence_panel({h, acting, kT0 + 300 * kMs}, ui, out);
  };
  for (int i = 0; i < 3; ++i) gui.frame(draw);
  gui.click_widget("sequence_last_row", draw);
  CHECK(ui.pinned_journal_seq == 10);
  CHECK(out.actions.empty());
  gui.click_widget("sequence_pause", draw);
  CHECK(ui.paused);
  REQUIRE(out.actions.size() == 1);
  CHECK(out.actions[0].kind == ActionRequest::Kind::SetPaused);
  CHECK(out.actions[0].flag);
}

TEST_CASE("an injection row says what was injected, and a message read twice is flagged as an anomaly") {
  SessionHistory h;
  FakeBlock b = message_exchange();
  std::uint64_t t = kT0 + 200 * kMs;
  b.journal(JournalKind::Injected, Role::Tool, 999, t += kMs,
            static_cast<std::uint32_t>(shmipc::InjectionKind::SetEvent),
            static_cast<std::uint64_t>(EventId::SendMessage), {}, shmipc::kJournalFlagInjected);
  b.journal(JournalKind::MessageRead, Role::Parent, kParentPid, t += kMs, 5, 1, "hello");
  b.ingest_into(h, t + kMs);
  ActingState acting;
  UiState ui;
  const SequenceView v = make_sequence_view({h, acting, kT0}, ui);
  std::vector<const SequenceRow*> reads;
  const SequenceRow* injected = nullptr;
  for (const auto& row : v.rows) {
    if (row.kind == JournalKind::MessageRead) reads.push_back(&row);
    if (row.kind == JournalKind::Injected) injected = &row;
  }
  REQUIRE(injected != nullptr);
  CHECK(injected->text == "tool sets SendMessage by hand [injected]");
  REQUIRE(reads.size() == 2);
  CHECK_FALSE(reads[0]->anomaly);
  CHECK(reads[1]->anomaly);
  CHECK(reads[1]->colour == UiColour::Dead);
  CHECK(reads[1]->text.find("ANOMALY: message #1 was already read") != std::string::npos);
}

namespace {

// The scroll position of the diagram's scrolling child window.
float diagram_scroll_y() {
  for (ImGuiWindow* w : ImGui::GetCurrentContext()->Windows) {
    if (std::string(w->Name).find("Sequence diagram/diagram") == 0) return w->Scroll.y;
  }
  return -1;
}

}  // namespace

TEST_CASE("the diagram follows new records, but not away from a row the user clicked") {
  Gui gui;
  FakeBlock b = two_peers();
  std::uint64_t t = kT0;
  auto add_rows = [&](int n) {
    for (int i = 0; i < n; ++i) {
      b.journal(JournalKind::EventSet, Role::Child, kChildPid, t += kMs,
                static_cast<std::uint32_t>(EventId::SendMessage));
    }
  };
  add_rows(40);
  SessionHistory h;
  b.ingest_into(h, t + kMs);
  ActingState acting;
  acting.attached = true;
  UiState ui;
  PanelOutput out;
  auto draw = [&] {
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(900, 400));
    ui.begin_frame();
    draw_sequence_panel({h, acting, t}, ui, out);
  };
  for (int i = 0; i < 8; ++i) gui.frame(draw);
  const float followed = diagram_scroll_y();
  REQUIRE(followed > 0);  // scrolled to the newest rows, all the way
  for (ImGuiWindow* w : ImGui::GetCurrentContext()->Windows) {
    if (std::string(w->Name).find("Sequence diagram/diagram") == 0) CHECK(w->Scroll.y >= w->ScrollMax.y - 1);
  }
  // Records arrive a couple at a time, as from live peers.
  auto arrive = [&] {
    for (int i = 0; i < 5; ++i) {
      add_rows(2);
      b.ingest_into(h, t + kMs);
      gui.frame(draw);
    }
    gui.frame(draw);
  };
  arrive();
  const float followed_more = diagram_scroll_y();
  CHECK(followed_more > followed);  // new records: followed
  ui.pinned_journal_seq = static_cast<std::int64_t>(h.journal().back().seq);  // a click on a row
  arrive();
  // The clicked row stays put (within a row: the header gains "pinned #N  Back to live"),
  // where following would have moved ten rows on.
  CHECK(std::abs(diagram_scroll_y() - followed_more) < ImGui::GetTextLineHeight() + 4);
}
