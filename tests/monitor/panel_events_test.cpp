// The Events and Participants panels on fabricated blocks.
#include <doctest/doctest.h>

#include "panel_fixtures.hpp"
#include "panels/events_view.hpp"
#include "panels/participants_view.hpp"

using namespace paneltest;
using namespace shmscope;
using shmipc::EventId;
using shmipc::Role;

TEST_CASE("the events view shows SendMessage signalled by the child and the others clear") {
  FakeBlock b = two_peers();
  b.event_signalled(EventId::SendMessage, Role::Child, kChildPid, kT0 + 800 * kMs);
  SessionHistory h;
  b.ingest_into(h, kT0 + 900 * kMs);
  ActingState acting;
  acting.attached = true;
  const EventsView v = make_events_view({h, acting, kT0 + 1000 * kMs});
  REQUIRE(v.known);
  const EventLamp& send = v.lamps[static_cast<std::size_t>(EventId::SendMessage)];
  CHECK(send.name == "SendMessage");
  CHECK(send.signalled);
  CHECK(send.state == "signalled");
  CHECK(send.counts == "1 / 0");  // set / consumed
  CHECK(send.last_setter == "child (pid 4242), 200.0 ms ago");
  for (EventId e : {EventId::ChildAcknowledge, EventId::ReceiveMessage, EventId::SendCommand,
                    EventId::ReceiveCommand}) {
    const EventLamp& l = v.lamps[static_cast<std::size_t>(e)];
    CAPTURE(l.name);
    CHECK_FALSE(l.signalled);
    CHECK(l.state == "clear");
    CHECK(l.last_setter == "never set");
  }
  CHECK(v.child_ack);
  CHECK(v.child_ack_text == "childAck = 1: the child acknowledged");
}

TEST_CASE("the participants view shows a dead child in words") {
  SessionHistory h;
  two_peers().ingest_into(h, kT0 + 1000 * kMs, /*parent_alive=*/true, /*child_alive=*/false);
  ActingState acting;
  acting.attached = true;
  const ParticipantsView v = make_participants_view({h, acting, kT0 + 1000 * kMs});
  REQUIRE(v.rows.size() == 2);
  CHECK(v.rows[0].role_name == "parent");
  CHECK(v.rows[0].pid == kParentPid);
  CHECK(v.rows[0].liveness == "alive");
  CHECK(v.rows[1].role_name == "child");
  CHECK(v.rows[1].pid == kChildPid);
  CHECK_FALSE(v.rows[1].alive);
  CHECK(v.rows[1].liveness == "dead");
  CHECK(v.rows[1].joined == "990.0 ms ago");
  CHECK(v.rows[1].heartbeat == "100.0 ms ago");
  CHECK(v.warning.find("The child (pid 4242) is dead") == 0);
}

TEST_CASE("with no session the events and participants views say so") {
  SessionHistory h;
  ActingState acting;
  CHECK(make_events_view({h, acting, kT0}).status == "No session attached.");
  CHECK(make_participants_view({h, acting, kT0}).status == "No session attached.");
}

TEST_CASE("the events and participants panels render without an ImGui assertion") {
  Gui gui;
  SessionHistory h;
  FakeBlock b = two_peers();
  b.event_signalled(EventId::SendMessage, Role::Child, kChildPid, kT0 + 800 * kMs);
  b.ingest_into(h, kT0 + 900 * kMs, true, false);
  ActingState acting;
  acting.attached = true;
  UiState ui;
  PanelOutput out;
  auto draw = [&] {
    ui.begin_frame();
    draw_events_panel({h, acting, kT0 + 1000 * kMs}, ui, out);
    draw_participants_panel({h, acting, kT0 + 1000 * kMs}, ui, out);
  };
  for (int i = 0; i < 3; ++i) gui.frame(draw);
  SessionHistory empty;
  for (int i = 0; i < 2; ++i) {
    gui.frame([&] {
      draw_events_panel({empty, acting, kT0}, ui, out);
      draw_participants_panel({empty, acting, kT0}, ui, out);
    });
  }
  CHECK(out.actions.empty());
}

TEST_CASE("a waiter whose process died is counted as stale, never as a live waiter") {
  FakeBlock b = two_peers();
  const std::uint32_t send_message = 1u << static_cast<unsigned>(EventId::SendMessage);
  b.waiter(0, kParentPid, send_message);  // the live parent waits
  b.waiter(1, 999, send_message);         // a parent killed in its wait left its slot
  SessionHistory h;
  b.ingest_into(h, kT0 + 900 * kMs);
  ActingState acting;
  acting.attached = true;
  const EventsView v = make_events_view({h, acting, kT0 + 1000 * kMs});
  const EventLamp& send = v.lamps[static_cast<std::size_t>(EventId::SendMessage)];
  CHECK(send.stale_waiters == 1);
  CHECK(send.waiters == "2 waiting (1 stale: its process is gone)");
  const EventLamp& ack = v.lamps[static_cast<std::size_t>(EventId::ChildAcknowledge)];
  CHECK(ack.stale_waiters == 0);
  CHECK(ack.waiters == "no waiters");
}
