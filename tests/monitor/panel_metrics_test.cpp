// Metrics from the journal, and the default layout of all panels.
#include <doctest/doctest.h>
#include <imgui_internal.h>

#include "panel_fixtures.hpp"
#include "panels/metrics_view.hpp"

using namespace paneltest;
using namespace shmscope;
using shmipc::JournalKind;
using shmipc::Role;

TEST_CASE("metrics count messages read in the last second and pair writes with reads") {
  FakeBlock b = two_peers();
  for (std::uint64_t seq = 1; seq <= 4; ++seq) {
    const std::uint64_t t = kT0 + seq * 300 * kMs;  // 300, 600, 900, 1200 ms
    b.journal(JournalKind::MessageWritten, Role::Child, kChildPid, t, 5, seq, "hello");
    b.journal(JournalKind::MessageRead, Role::Parent, kParentPid, t + seq * 10'000, 5, seq,
              "hello");
    b.journal(JournalKind::LockReleased, Role::Parent, kParentPid, t + seq * 20'000, 0, 2'000);
  }
  SessionHistory h;
  b.ingest_into(h, kT0 + 1350 * kMs);
  const Metrics m = h.metrics(kT0 + 1350 * kMs);
  CHECK(m.messages_per_second ==
        3);  // the reads after 600, 900 and 1200 ms; 300 ms is over a second ago
  REQUIRE(m.handoff_latency_us.size() == 4);
  CHECK(m.handoff_latency_us[0] == doctest::Approx(10.0));
  CHECK(m.handoff_latency_us[3] == doctest::Approx(40.0));
  REQUIRE(m.hold_time_us.size() == 4);
  CHECK(m.hold_time_us[0] == doctest::Approx(2.0));
  REQUIRE(m.messages_per_second_series.size() == 60);
  CHECK(m.messages_per_second_series.back() == 3);
  CHECK(m.messages_per_second_series[58] == 1);

  ActingState acting;
  const MetricsView v = make_metrics_view({h, acting, kT0 + 1350 * kMs});
  CHECK(v.rate == "3 messages per second");
  CHECK(v.latency.samples == 4);
  CHECK(v.latency.summary == "median 30 us, 95% under 40 us (4 samples)");
}

TEST_CASE("a histogram puts outliers beyond the 95th percentile in its last bin") {
  std::vector<double> v(99, 1.0);
  v.push_back(1000.0);
  const Histogram h = make_histogram(v, 10);
  float total = 0;
  for (float c : h.counts) total += c;
  CHECK(total == 100);
  CHECK(h.counts.back() == 100);  // p95 is 1.0: everything lands at the right edge
  CHECK(make_histogram({}, 10).summary == "no samples yet");
}

TEST_CASE("the default layout tiles every panel inside 1600x1000 with no overlap") {
  Gui gui;
  SessionHistory h;
  FakeBlock b = two_peers();
  b.journal(JournalKind::MessageWritten, Role::Child, kChildPid, kT0, 5, 1, "hello");
  b.ingest_into(h, kT0 + kMs);
  ActingState acting;
  acting.attached = true;
  acting.role = Role::Child;
  UiState ui;
  PanelOutput out;
  for (int i = 0; i < 3; ++i) {
    gui.frame([&] {
      ui.begin_frame();
      draw_all_panels({h, acting, kT0 + 2 * kMs}, ui, out);
    });
  }
  const char* names[] = {"Block",        "Sequence diagram", "Metrics", "Act",
                         "Participants", "Events",           "Mutex"};
  std::vector<ImRect> rects;
  for (const char* n : names) {
    ImGuiWindow* w = ImGui::FindWindowByName(n);
    REQUIRE_MESSAGE(w != nullptr, n);
    const ImRect r(w->Pos, ImVec2(w->Pos.x + w->Size.x, w->Pos.y + w->Size.y));
    CAPTURE(n);
    CHECK(r.Min.x >= 0);
    CHECK(r.Min.y >= 0);
    CHECK(r.Max.x <= 1600.5f);
    CHECK(r.Max.y <= 1000.5f);
    CHECK(r.GetWidth() >= 300);
    for (const ImRect& o : rects) {
      ImRect inter(ImVec2(std::max(r.Min.x, o.Min.x), std::max(r.Min.y, o.Min.y)),
                   ImVec2(std::min(r.Max.x, o.Max.x), std::min(r.Max.y, o.Max.y)));
      CHECK_FALSE((inter.GetWidth() > 1 && inter.GetHeight() > 1));
    }
    rects.push_back(r);
  }
}
