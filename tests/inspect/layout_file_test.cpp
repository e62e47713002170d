// Layout files: the same segment decoded through a hand-written file and through DWARF agrees
// value for value; --emit-layout round-trips; the shipped examples match their structs; bad
// files are refused with the line and the problem.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "inspect_fixtures.hpp"
#include "shmipc/block.hpp"

using namespace shminspect;
using namespace inspect_test;

namespace {

std::string layout_dir_file(const std::string& name) {
  return std::string(SHMINSPECT_LAYOUT_DIR) + "/" + name;
}

// Drops the comment lines (they name the source file and build-id).
std::string without_comments(const std::string& text) {
  std::istringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("#", 0) != 0) out += line + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("A hand-written layout file and DWARF decode the same values") {
  shmtest::Watchdog watchdog(std::chrono::seconds(60));
  const Layout dwarf = load_layout_from_dwarf(target_path(), "demo::Sample");
  const Layout file = load_layout_file(source_file("sample.ksy"));
  CHECK(file.size == dwarf.size);
  for (const std::uint64_t k : {0u, 1u, 2u, 9u}) {
    CAPTURE(k);
    Target target("file", "--step", std::to_string(k));
    auto reader = SegmentReader::open_shm(target.name);
    const Sample sample = reader.read();
    const auto through_file = by_path(decode(file, sample));
    const auto through_dwarf = by_path(decode(dwarf, sample));
    check_step(through_file, k);
    REQUIRE(through_file.size() == through_dwarf.size());
    for (const auto& [path, v] : through_dwarf) {
      CAPTURE(path);
      REQUIRE(through_file.count(path) == 1);
      const auto& w = through_file.at(path);
      if (!v.field->is_bitfield()) CHECK(w.offset == v.offset);
      if (!v.is_container) CHECK(w.text == v.text);
    }
  }
}

TEST_CASE("--emit-layout round trip: DWARF -> file -> layout is the same layout") {
  shmtest::Watchdog watchdog(std::chrono::seconds(60));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {target_path(), "demo::Sample"},   {target_path(), "Ring"},
      {target_path(), "KSharedMemory"},  {target_path("_dwarf4"), "demo::Flags"},
      {shmtest::binary_path("shmipc"), "shmipc::Block"}, {SHMINSPECT_TEST_OBJECT, "demo::Derived"}};
  for (const auto& [binary, type] : cases) {
    CAPTURE(type);
    const Layout dwarf = load_layout_from_dwarf(binary, type);
    const std::string text = emit_layout_file(dwarf);
    const Layout back = parse_layout_file(text, "emitted");
    CHECK(compare_layouts(dwarf, back) == "");
    CHECK(without_comments(emit_layout_file(back)) == without_comments(text));
  }
}

TEST_CASE("A base class and an anonymous union get member names a layout file can carry") {
  const Layout layout = load_layout_from_dwarf(SHMINSPECT_TEST_OBJECT, "demo::Derived");
  REQUIRE(layout.root.children.size() == 3);
  CHECK(layout.root.children[0].name == "base_Base");
  CHECK(layout.root.children[0].children.at(0).name == "id");
  CHECK(layout.root.children[1].name == "anon_1");
  CHECK(layout.root.children[1].kind == FieldKind::Union);
  CHECK(layout.root.children[2].name == "tail");
}

TEST_CASE("The shipped example layouts match their structs") {
  shmtest::Watchdog watchdog(std::chrono::seconds(60));
  const Layout ksm = load_layout_file(layout_dir_file("ksharedmemory.ksy"));
  CHECK(compare_layouts(load_layout_from_dwarf(target_path(), "KSharedMemory"), ksm) == "");
  Target target("ksm", "--ksm", "4242");
  auto reader = SegmentReader::open_shm(target.name);
  const auto v = by_path(decode(ksm, reader.read()));
  CHECK(as_int(v, "processID") == 4242);
  CHECK(as_int(v, "childAck") == 1);
  CHECK(as_int(v, "dataSize") == 15);
  CHECK(at(v, "data").text == "\"hello from 4242\"");

  const Layout block = load_layout_file(layout_dir_file("shmipc_block.ksy"));
  CHECK(block.size == sizeof(shmipc::Block));
  CHECK(field_range(block, "header.magic")->offset == 0);
  CHECK(field_range(block, "journal")->offset == offsetof(shmipc::Block, journal));
}

TEST_CASE("Bad layout files are refused naming the line and the problem") {
  const std::string head = "meta: {id: t, -size: 8}\nseq:\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {head + "  - {id: a, type: u4, offset: 0}\n  - {id: b, type: u4, offset: 2}\n",
       "layout:4:5: field 'b' overlaps 'a'"},
      {head + "  - {id: a, type: u8, offset: 4}\n", "layout:3:5: field 'a' (offset 4, size 8) ends past the end"},
      {head + "  - {id: a, type: u3, offset: 0}\n", "layout:3:19: field 'a': unknown type 'u3'"},
      {head + "  - {id: a, type: u4}\n", "layout:3:5: field 'a' needs an 'offset'"},
      {head + "  - {id: a, type: u4, offset: -4}\n", "layout:3:31: 'offset' must be a non-negative integer"},
      {head + "  - {id: a, type: u4, offset: 0, colour: red}\n", "layout:3:34: unknown key 'colour'"},
      {head + "  - {id: a, type: u4be, offset: 0}\n", "big-endian"},
      {head + "  - {id: a, type: u4, offset: 0, enum: nope}\n", "layout:3:40: field 'a': no enum 'nope'"},
      {head + "  - {id: a, type: t2, offset: 0}\ntypes:\n  t2: {seq: [{id: x, type: t2, offset: 0}]}\n",
       "type 't2' contains itself"},
      {head + "  - {id: a, type: b3, offset: 0, bit-offset: 7, -storage: 1}\n", "storage of 1 bytes cannot hold bits 7..9"},
      {head + "  - {id: a, type: b2, offset: 0}\n  - {id: b, type: b2, offset: 0, bit-offset: 1}\n",
       "layout:4:5: field 'b' overlaps 'a'"},
      {"meta: {id: t}\nseq: [\n", "not valid YAML"},
      {"seq: []\n", "missing 'meta'"},
      {head + "  - {id: a, type: u4, offset: 0}\n  - {id: a, type: u4, offset: 4}\n", "two fields named 'a'"},
  };
  for (const auto& [text, expected] : cases) {
    CAPTURE(text);
    try {
      parse_layout_file(text);
      FAIL("accepted");
    } catch (const InspectError& e) {
      CHECK(e.kind() == ErrorKind::BadLayout);
      CHECK_MESSAGE(std::string(e.what()).find(expected) != std::string::npos, std::string(e.what()));
    }
  }
  // Bit-fields side by side in one storage unit are fine.
  CHECK_NOTHROW(parse_layout_file(head + "  - {id: a, type: b2, offset: 0}\n  - {id: b, type: b2, offset: 0, bit-offset: 2}\n"));
}
