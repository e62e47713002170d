// LiveView: the loop behind `shmipc inspect --watch` and the monitor's views, on a real
// program writing its segment.
#include <doctest/doctest.h>

#include <thread>

#include "inspect_fixtures.hpp"

using namespace shminspect;
using namespace inspect_test;

TEST_CASE("A live view sees fields change and pauses on a watch condition") {
  shmtest::Watchdog watchdog(std::chrono::seconds(60));
  const Layout layout = load_layout_from_dwarf(target_path(), "demo::Sample");
  Target target("liveview", "--run", "3");
  ReaderOptions reader_options;
  reader_options.seqlock = field_range(layout, "seq");
  reader_options.max_attempts = 20;
  LiveView view(layout, SegmentReader::open_shm(target.name, reader_options));
  view.set_watch(WatchCondition::parse("mode becomes Error"));
  std::optional<std::string> fired;
  bool saw_temperature_change = false;
  const bool done = shmtest::eventually(
      [&] {
        const TickResult r = view.tick();
        for (const auto& path : r.changed) saw_temperature_change |= path == "temperature";
        if (r.watch) fired = r.watch;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        return fired.has_value() && saw_temperature_change;
      },
      std::chrono::seconds(30));
  REQUIRE(done);
  CHECK(fired->rfind("mode is now Error (2)", 0) == 0);
  const auto v = by_path(view.values());
  CHECK(at(v, "mode").enumerator == "Error");
  if (view.sample().consistent) check_step(v, static_cast<std::uint64_t>(as_int(v, "seq") / 2));
  CHECK(view.history().points("temperature").size() >= 2);
  CHECK(view.facts().size() >= 5);  // the holes, plus any false sharing seen
}

TEST_CASE("A live view follows a flexible array as the segment grows and reports removal") {
  shmtest::Watchdog watchdog(std::chrono::seconds(60));
  const Layout layout = load_layout_from_dwarf(target_path(), "Ring");
  Target target("liveview-ring", "--ring", "4");
  LiveView view(layout, SegmentReader::open_shm(target.name));
  view.tick();
  CHECK(view.layout().root.children.back().count == 4);
  CHECK(by_path(view.values()).count("items[3]") == 1);
  REQUIRE(::truncate(target.path().c_str(), 8 + 4 * 6) == 0);  // two more (zero) items
  TickResult r = view.tick();
  CHECK(r.event == SegmentEvent::Resized);
  CHECK(view.layout().root.children.back().count == 6);
  r = view.tick();
  const auto v = by_path(view.values());
  CHECK(as_int(v, "items[3]") == 33);
  CHECK(as_int(v, "items[5]") == 0);
  REQUIRE(::unlink(target.path().c_str()) == 0);
  r = view.tick();
  CHECK(r.event == SegmentEvent::Vanished);
  CHECK_FALSE(view.sample().present);
}
