// A real program's segment decoded through the program's own DWARF: every field at known steps,
// for gcc's DWARF 5, for -gdwarf-4 and for zlib-compressed debug sections.
#include <doctest/doctest.h>

#include "inspect_fixtures.hpp"

using namespace shminspect;
using namespace inspect_test;

TEST_CASE("DWARF 5: every kind of member decodes to the values the program wrote") {
  shmtest::Watchdog watchdog(std::chrono::seconds(60));
  const Layout layout = load_layout_from_dwarf(target_path(), "demo::Sample");
  CHECK(layout.size == sizeof(std::uint64_t) * 0 + layout.root.size);
  CHECK(layout.type_name == "demo::Sample");
  CHECK_FALSE(layout.build_id.empty());
  for (const std::uint64_t k : {0u, 1u, 2u, 7u, 30u}) {
    CAPTURE(k);
    Target target("dwarf5", "--step", std::to_string(k));
    auto reader = SegmentReader::open_shm(target.name);
    const Sample sample = reader.read();
    REQUIRE(sample.present);
    CHECK(sample.consistent);
    CHECK(sample.segment_size == layout.size);
    check_step(by_path(decode(layout, sample)), k);
  }
}

TEST_CASE("The kinds: enum names and bit-fields and union and nested arrays and atomics and text") {
  const Layout layout = load_layout_from_dwarf(target_path(), "demo::Sample");
  const auto find = [&](const std::string& name) -> const Field& {
    for (const auto& c : layout.root.children) {
      if (c.name == name) return c;
    }
    FAIL("no member " << name);
    return layout.root;
  };
  CHECK(find("mode").kind == FieldKind::Enum);
  CHECK(find("mode").enumerators.size() == 3);
  CHECK(find("level").is_signed);
  CHECK(find("name").kind == FieldKind::Text);
  CHECK(find("name").count == 16);
  CHECK(find("raw").kind == FieldKind::Array);  // uint8_t[4]: numbers, not text
  CHECK(find("word").kind == FieldKind::Union);
  CHECK(find("grid").kind == FieldKind::Array);
  CHECK(find("grid").children.front().kind == FieldKind::Array);
  CHECK(find("grid").children.front().count == 3);
  CHECK(find("grid").stride == 6);
  CHECK(find("counter").atomic);
  CHECK(find("counter").kind == FieldKind::Unsigned);
  CHECK(find("gauge").kind == FieldKind::Float);
  CHECK(find("last").kind == FieldKind::Pointer);
  CHECK(find("tag").kind == FieldKind::Char);
  const Field& flags = find("flags");
  REQUIRE(flags.children.size() == 5);
  CHECK(flags.children[0].bit_size == 1);
  CHECK(flags.children[1].bit_size == 5);
  CHECK(flags.children[1].bit_offset == 1);
  CHECK(flags.children[2].kind == FieldKind::Signed);
  CHECK(flags.children[3].kind == FieldKind::Enum);
  CHECK(flags.children[4].kind == FieldKind::Bool);
}

TEST_CASE("DWARF 4 and zlib-compressed sections and split DWARF and an object file give the DWARF 5 layout") {
  shmtest::Watchdog watchdog(std::chrono::seconds(60));
  const Layout five = load_layout_from_dwarf(target_path(), "demo::Sample");
  const Layout four = load_layout_from_dwarf(target_path("_dwarf4"), "demo::Sample");
  const Layout zlib = load_layout_from_dwarf(target_path("_zlib"), "demo::Sample");
  CHECK(compare_layouts(five, four) == "");
  CHECK(compare_layouts(five, zlib) == "");
  CHECK(compare_layouts(five, load_layout_from_dwarf(target_path("_split"), "demo::Sample")) == "");
  CHECK(compare_layouts(five, load_layout_from_dwarf(SHMINSPECT_TEST_OBJECT, "demo::Sample")) == "");
  Target target("dwarf4", "--step", "5", "_dwarf4");
  auto reader = SegmentReader::open_shm(target.name);
  const Sample sample = reader.read();
  check_step(by_path(decode(four, sample)), 5);
  check_step(by_path(decode(zlib, sample)), 5);
}

TEST_CASE("A C struct with a flexible array member takes its length from the segment") {
  shmtest::Watchdog watchdog(std::chrono::seconds(60));
  const Layout layout = load_layout_from_dwarf(target_path(), "Ring");
  REQUIRE(layout.root.children.size() == 3);
  CHECK(layout.root.children.back().flexible);
  CHECK(layout.size == 8);
  Target target("ring", "--ring", "5");
  auto reader = SegmentReader::open_shm(target.name);
  const Sample sample = reader.read();
  const Layout sized = size_flexible_array(layout, sample.segment_size);
  CHECK(sized.root.children.back().count == 5);
  const auto v = by_path(decode(sized, sample));
  CHECK(as_int(v, "head") == 3);
  CHECK(as_int(v, "capacity") == 5);
  for (int i = 0; i < 5; ++i) CHECK(as_int(v, "items[" + std::to_string(i) + "]") == 10 * i + 3);
  CHECK(v.count("items[5]") == 0);
}

#ifdef SHMINSPECT_DWZ_DIR
TEST_CASE("Types moved by dwz into partial units, or into a common file, are found with the same layout") {
  const Layout plain = load_layout_from_dwarf(target_path(), "demo::Sample");
  for (const std::string file : {"single", "multi_a"}) {
    CAPTURE(file);
    const Layout dwz = load_layout_from_dwarf(std::string(SHMINSPECT_DWZ_DIR) + "/" + file, "demo::Sample");
    CHECK(compare_layouts(plain, dwz) == "");
    CHECK(dwz.build_id == plain.build_id);
  }
}
#else
TEST_CASE("Types moved by dwz into partial units, or into a common file, are found with the same layout" *
          doctest::skip()) {}
#endif
