// Reading a segment while its program writes it: seqlock-consistent copies, bytes in flux,
// large segments read by range, watch conditions, bounded history, layout facts and the
// false-sharing finder, and the /dev/shm listing.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <cstring>
#include <thread>

#include "inspect_fixtures.hpp"
#include "inspect_target_types.hpp"

using namespace shminspect;
using namespace inspect_test;

namespace {

// demo::Sample's bytes at step k, written in this process by the same function.
std::vector<std::uint8_t> step_bytes(std::uint64_t k) {
  std::vector<std::uint8_t> bytes(sizeof(demo::Sample));
  auto* s = new (bytes.data()) demo::Sample{};
  demo::fill_sample(*s, k);
  s->seq = 2 * k;
  return bytes;
}

}  // namespace

TEST_CASE("A live writer read through its seqlock: every consistent copy is one whole step") {
  shmtest::Watchdog watchdog(std::chrono::seconds(60));
  const Layout layout = load_layout_from_dwarf(target_path(), "demo::Sample");
  Target target("seqlock", "--run", "1");
  ReaderOptions options;
  options.seqlock = field_range(layout, "seq");
  options.max_attempts = 20;
  auto reader = SegmentReader::open_shm(target.name, options);
  int consistent = 0;
  std::set<std::int64_t> steps;
  for (int i = 0; i < 300; ++i) {
    const Sample s = reader.read();
    if (!s.consistent) continue;
    ++consistent;
    const auto v = by_path(decode(layout, s));
    const std::int64_t seq = as_int(v, "seq");
    steps.insert(seq / 2);
    check_step(v, static_cast<std::uint64_t>(seq / 2));
    if (i % 50 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(3));
  }
  CHECK(consistent > 150);
  CHECK(steps.size() > 1);  // the values were moving
}

TEST_CASE("Bytes that keep changing during a read are marked in flux and the others are not") {
  shmtest::Watchdog watchdog(std::chrono::seconds(60));
  char name[] = "/tmp/shminspect-flux-XXXXXX";
  const int fd = ::mkstemp(name);
  REQUIRE(fd >= 0);
  std::vector<std::uint8_t> still(64, 0x5a);
  REQUIRE(::pwrite(fd, still.data(), still.size(), 0) == 64);
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    std::uint64_t n = 0;
    while (!stop.load()) {
      ++n;
      if (::pwrite(fd, &n, sizeof n, 16) != sizeof n) break;  // bytes 16..23 move
    }
  });
  ReaderOptions options;
  options.max_attempts = 2;
  auto reader = SegmentReader::open_file(name, options);
  bool saw_flux = false;
  const bool done = shmtest::eventually(
      [&] {
        const Sample s = reader.read();
        for (std::size_t i = 0; i < s.in_flux.size(); ++i) {
          if (s.in_flux[i] == 0) continue;
          CHECK_MESSAGE((i >= 16 && i < 24), "byte " << i << " marked in flux");
          saw_flux = true;
        }
        if (!s.consistent) CHECK(s.attempts == 2);
        return saw_flux;
      },
      std::chrono::seconds(20));
  stop = true;
  writer.join();
  ::close(fd);
  ::unlink(name);
  CHECK(done);
}

TEST_CASE("A large segment is read only where asked") {
  shmtest::Watchdog watchdog(std::chrono::seconds(60));
  const std::string name = "shminspect-test." + shmtest::unique_session_name("large");
  const std::string path = "/dev/shm/" + name;
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(::ftruncate(fd, 512ll << 20) == 0);  // 512 MiB, sparse
  const std::uint64_t marker = 0x1122334455667788ull;
  REQUIRE(::pwrite(fd, &marker, 8, 100 << 20) == 8);
  ::close(fd);
  ReaderOptions options;
  options.whole_read_limit = 1 << 20;
  auto reader = SegmentReader::open_shm(name, options);
  Sample s = reader.read();
  CHECK(s.segment_size == 512ull << 20);
  CHECK(s.bytes.size() == 1u << 20);  // the limit, and the sample says so
  REQUIRE(s.sampled.size() == 1);
  CHECK(s.sampled[0].size == 1u << 20);
  s = reader.read({{(100 << 20) - 8, 24}});
  REQUIRE(s.sampled.size() == 1);
  CHECK(s.covers((100 << 20), 8));
  CHECK_FALSE(s.covers(0, 8));
  std::uint64_t got = 0;
  std::memcpy(&got, s.bytes.data() + (100 << 20), 8);
  CHECK(got == marker);

  // A window keeps only the bytes asked for, and decode follows its base.
  options.window = true;
  auto windowed = SegmentReader::open_shm(name, options);
  s = windowed.read({{(100 << 20) - 8, 24}});
  CHECK(s.base == (100u << 20) - 8);
  CHECK(s.bytes.size() == 24);
  CHECK(s.covers(100 << 20, 8));
  CHECK_FALSE(s.covers(0, 8));
  const Layout marker_layout = parse_layout_file(
      "meta: {id: big}\nseq:\n  - {id: head, type: u8, offset: 0}\n"
      "  - {id: marker, type: u8, offset: " + std::to_string(100 << 20) + "}\n");
  const auto v = by_path(decode(marker_layout, s));
  CHECK_FALSE(v.at("head").available);
  CHECK(*v.at("marker").as_unsigned == marker);
  ::unlink(path.c_str());
}

TEST_CASE("Watch conditions fire on the sample where they become true") {
  const Layout layout = load_layout_from_dwarf(target_path(), "demo::Sample");
  const auto v1 = decode(layout, step_bytes(1));
  const auto v2 = decode(layout, step_bytes(2));
  const auto v5 = decode(layout, step_bytes(5));
  const auto fires = [&](const std::string& text, const std::vector<DecodedValue>& a,
                         const std::vector<DecodedValue>& b) {
    return WatchCondition::parse(text).evaluate(a, b).has_value();
  };
  CHECK(fires("seq jumps by more than 1", v1, v2));  // 2 -> 4
  CHECK_FALSE(fires("seq jumps by more than 2", v1, v2));
  CHECK(fires("seq jumps by more than 2", v2, v5));  // 4 -> 10
  CHECK(fires("mode becomes Error", v1, v2));        // Running -> Error
  CHECK_FALSE(fires("mode becomes Error", v2, v2));  // already Error: no new event
  CHECK(fires("temperature > -19", v1, v2));         // -19 -> -18
  CHECK_FALSE(fires("temperature > -19", v2, v5));   // was true already
  CHECK(fires("name becomes step-2", v1, v2));
  CHECK(fires("port changes", v1, v2));
  CHECK_FALSE(fires("alive changes", v1, v2));
  CHECK(fires("flags.mode == Error", v1, v2));
  CHECK(fires("path[2].x>=4", v1, v2));  // 3 -> 4
  const auto message = WatchCondition::parse("seq jumps by more than 1").evaluate(v2, v5);
  REQUIRE(message);
  CHECK(*message == "seq jumped by 6 (4 -> 10)");

  for (const char* bad : {"", "> 5", "seq", "seq jumps by 3", "seq > five", "seq frobs"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(WatchCondition::parse(bad), InspectError);
  }
  try {
    WatchCondition::parse("temprature > 3").evaluate(v1, v2);
    FAIL("evaluated");
  } catch (const InspectError& e) {
    CHECK(std::string(e.what()).find("close matches: temperature") != std::string::npos);
  }
}

TEST_CASE("History keeps a bounded series per field") {
  const Layout layout = load_layout_from_dwarf(target_path(), "demo::Sample");
  FieldHistory history(4);
  for (std::uint64_t k = 0; k < 10; ++k) history.record(k * 1000, decode(layout, step_bytes(k)));
  const auto& t = history.points("temperature");
  REQUIRE(t.size() == 4);
  CHECK(t.front().time_ns == 6000);
  CHECK(t.back().value == -11);
  CHECK(history.points("name").empty());  // text has no number
  history.set_watched({"port"});
  history.clear();
  history.record(1, decode(layout, step_bytes(3)));
  CHECK(history.paths() == std::vector<std::string>{"port"});
}

TEST_CASE("Layout facts: holes and padding and cache lines and false sharing from independent changes") {
  const Layout layout = load_layout_from_dwarf(target_path(), "demo::Sample");
  const auto facts = layout_facts(layout);
  std::vector<std::string> texts;
  for (const auto& f : facts) texts.push_back(f.text);
  CAPTURE(texts);
  REQUIRE(facts.size() == 5);
  CHECK(facts[0].kind == FactKind::Hole);
  CHECK(facts[0].offset == 17);
  CHECK(facts[0].size == 3);
  CHECK(facts[0].text == "hole of 3 bytes after 'mode' before 'level' (bytes 17..19)");
  CHECK(facts[2].offset == 137);
  CHECK(facts[2].size == 7);
  CHECK(facts[3].text == "hole of 4 bytes after 'x' before 'y' in 'pos' (bytes 52..55)");

  const Layout odd = parse_layout_file(
      "meta: {id: odd, -size: 80}\nseq:\n  - {id: a, type: u1, offset: 0}\n"
      "  - {id: b, type: u8, offset: 60}\n");
  const auto odd_facts = layout_facts(odd);
  REQUIRE(odd_facts.size() == 3);
  CHECK(odd_facts[0].kind == FactKind::Hole);
  CHECK(odd_facts[1].kind == FactKind::TrailingPadding);
  CHECK(odd_facts[1].size == 12);
  CHECK(odd_facts[2].kind == FactKind::StraddlesCacheLine);
  CHECK(odd_facts[2].fields == std::vector<std::string>{"b"});

  // writer_a changes entering odd steps, writer_b entering even ones: one cache line, two
  // writers. Everything else in that line changes every step or never.
  FalseSharingFinder finder(3);
  auto previous = decode(layout, step_bytes(0));
  for (std::uint64_t k = 1; k <= 10; ++k) {
    auto current = decode(layout, step_bytes(k));
    finder.add(previous, current);
    previous = std::move(current);
  }
  const auto found = finder.findings();
  REQUIRE(found.size() == 1);
  CHECK(found[0].kind == FactKind::FalseSharing);
  CHECK(found[0].fields == std::vector<std::string>{"writer_a", "writer_b"});
  CHECK(found[0].text.find("share cache line 2") != std::string::npos);
}

TEST_CASE("The /dev/shm listing shows the segment with its mode and the process mapping it") {
  shmtest::Watchdog watchdog(std::chrono::seconds(30));
  Target target("listing", "--step", "1");
  const auto segments = list_segments();
  const SegmentInfo* mine = nullptr;
  for (const auto& s : segments) {
    if (s.name == target.name) mine = &s;
  }
  REQUIRE(mine != nullptr);
  CHECK(mine->size == sizeof(demo::Sample));
  CHECK(format_mode(mine->mode) == "rw-------");
  CHECK(mine->owner_uid == ::geteuid());
  CHECK(mine->readable);
  REQUIRE(mine->mapped_by.size() == 1);
  CHECK(mine->mapped_by[0].pid == target.process.pid());
  CHECK(mine->mapped_by[0].command == "inspect_target");
  CHECK(format_segments_text(segments).find(target.name) != std::string::npos);
}
