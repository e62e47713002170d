// The Mutex panel: owner in words, and lock lanes derived from the journal.
#include <doctest/doctest.h>

#include "panel_fixtures.hpp"
#include "panels/mutex_view.hpp"

using namespace paneltest;
using namespace shmscope;
using shmipc::JournalKind;
using shmipc::Role;

namespace {

// The child takes the mutex at +100 ms; the parent asks at +200 ms and waits until the
// child releases it at +400 ms; the parent then holds it until +450 ms.
FakeBlock contended_block() {
  FakeBlock b = two_peers();
  b.journal(JournalKind::LockRequested, Role::Child, kChildPid, kT0 + 100 * kMs);
  b.journal(JournalKind::LockAcquired, Role::Child, kChildPid, kT0 + 100 * kMs);
  b.journal(JournalKind::LockRequested, Role::Parent, kParentPid, kT0 + 200 * kMs);
  b.journal(JournalKind::LockReleased, Role::Child, kChildPid, kT0 + 400 * kMs, 0, 300 * kMs);
  b.journal(JournalKind::LockAcquired, Role::Parent, kParentPid, kT0 + 400 * kMs, 1);
  b.journal(JournalKind::LockReleased, Role::Parent, kParentPid, kT0 + 450 * kMs, 0, 50 * kMs);
  return b;
}

}  // namespace

TEST_CASE("the mutex view says who holds the mutex, for how long, and who waits") {
  FakeBlock b = two_peers();
  b.mutex_held(Role::Child, kChildPid, kT0 + 500 * kMs, 1);
  SessionHistory h;
  b.ingest_into(h, kT0 + 1000 * kMs);
  ActingState acting;
  acting.attached = true;
  UiState ui;
  const MutexView v = make_mutex_view({h, acting, kT0 + 1750 * kMs}, ui);
  CHECK(v.held);
  CHECK(v.headline == "held by child (pid 4242)");
  CHECK(v.owner == "child, pid 4242, tid 4243");
  CHECK(v.held_for == "1.25 s");
  CHECK(v.waiters == "1 thread waiting");
  CHECK(v.colour == UiColour::Contended);
  CHECK(v.recovery.find("never") == 0);
}

TEST_CASE("a free mutex and a past owner-died recovery are said in words") {
  FakeBlock b = two_peers();
  b.put32(1264, 1);    // owner_died_count
  b.put32(1268, 777);  // last_dead_owner_pid
  b.put64(1272, kT0 + 100 * kMs);
  SessionHistory h;
  b.ingest_into(h, kT0 + 1000 * kMs);
  ActingState acting;
  UiState ui;
  const MutexView v = make_mutex_view({h, acting, kT0 + 1100 * kMs}, ui);
  CHECK_FALSE(v.held);
  CHECK(v.headline == "free");
  CHECK(v.colour == UiColour::Free);
  CHECK(v.recovery.find("pid 777 died holding it") == 0);
  CHECK(v.recovery.find("1.00 s ago") != std::string::npos);
}

TEST_CASE("lock spans split a hold into uncontended and contended parts and show the wait") {
  SessionHistory h;
  contended_block().ingest_into(h, kT0 + 500 * kMs);
  const auto spans = h.lock_spans(kT0, kT0 + 500 * kMs);
  REQUIRE(spans.size() == 4);
  CHECK(spans[0].kind == LockSpan::Kind::Holding);
  CHECK(spans[0].pid == kChildPid);
  CHECK(spans[0].begin_ns == kT0 + 100 * kMs);
  CHECK(spans[0].end_ns == kT0 + 200 * kMs);
  // At +200 ms both the parent's wait and the child's contended hold begin.
  const LockSpan* wait = nullptr;
  const LockSpan* contended = nullptr;
  for (const LockSpan& s : spans) {
    if (s.kind == LockSpan::Kind::Waiting) wait = &s;
    if (s.kind == LockSpan::Kind::HoldingContended) contended = &s;
  }
  REQUIRE(wait != nullptr);
  REQUIRE(contended != nullptr);
  CHECK(wait->pid == kParentPid);
  CHECK(wait->end_ns == kT0 + 400 * kMs);
  CHECK(contended->pid == kChildPid);
  CHECK(contended->waiter_pid == kParentPid);
  CHECK(contended->end_ns == kT0 + 400 * kMs);
  CHECK(spans[3].kind == LockSpan::Kind::Holding);
  CHECK(spans[3].pid == kParentPid);
  CHECK(spans[3].end_ns == kT0 + 450 * kMs);

  ActingState acting;
  UiState ui;
  const MutexView v = make_mutex_view({h, acting, kT0 + 500 * kMs}, ui);
  REQUIRE(v.lanes.size() == 2);
  CHECK(v.lanes[0].label == "parent (pid 4241)");
  CHECK(v.lanes[1].label == "child (pid 4242)");
  CHECK(lock_span_sentence(*contended, v) ==
        "child (pid 4242) held the mutex for 200.0 ms while parent (pid 4241) waited.");
  CHECK(lock_span_sentence(*wait, v) == "parent (pid 4241) waited 200.0 ms for the mutex.");
  CHECK(lock_span_sentence(spans[0], v) ==
        "child (pid 4242) held the mutex for 100.0 ms; nobody waited.");
}

TEST_CASE("a hold still open ends now and a hold whose owner died ends at the death") {
  FakeBlock b = two_peers();
  b.journal(JournalKind::LockAcquired, Role::Child, kChildPid, kT0 + 100 * kMs);
  b.journal(JournalKind::OwnerDied, Role::Parent, kParentPid, kT0 + 300 * kMs, 0, kChildPid);
  b.journal(JournalKind::LockReleased, Role::Parent, kParentPid, kT0 + 350 * kMs, 0, 50 * kMs);
  b.journal(JournalKind::LockAcquired, Role::Parent, kParentPid, kT0 + 400 * kMs);
  SessionHistory h;
  b.ingest_into(h, kT0 + 500 * kMs);
  const auto spans = h.lock_spans(kT0, kT0 + 600 * kMs);
  bool child_closed_at_death = false, parent_open = false;
  for (const LockSpan& s : spans) {
    if (s.pid == kChildPid && s.end_ns == kT0 + 300 * kMs) child_closed_at_death = true;
    if (s.pid == kParentPid && s.open && s.end_ns == kT0 + 600 * kMs) parent_open = true;
  }
  CHECK(child_closed_at_death);
  CHECK(parent_open);
}

TEST_CASE("the mutex panel renders with lanes and hovering, without an ImGui assertion") {
  Gui gui;
  SessionHistory h;
  contended_block().ingest_into(h, kT0 + 500 * kMs);
  ActingState acting;
  acting.attached = true;
  UiState ui;
  PanelOutput out;
  auto draw = [&] {
    ui.begin_frame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(700, 400));
    draw_mutex_panel({h, acting, kT0 + 600 * kMs}, ui, out);
  };
  for (int y = 0; y < 400; y += 40) {
    ImGui::GetIO().MousePos = ImVec2(400, static_cast<float>(y));
    gui.frame(draw);
  }
  CHECK(out.actions.empty());
}
