// Hostile inputs: broken ELF files, zstd sections, missing or ambiguous types, a segment that
// shrinks to nothing, is recreated or vanishes while viewed, and one the user may not read.
// Each gets an InspectError with a clear message (or a sample saying what happened), never a crash.
#include <doctest/doctest.h>
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <cstring>
#include <iterator>
#include <random>

#include "inspect_fixtures.hpp"
#include "inspect_target_types.hpp"

using namespace shminspect;
using namespace inspect_test;

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& bytes) {
    char name[] = "/tmp/shminspect-test-XXXXXX";
    const int fd = ::mkstemp(name);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    ::close(fd);
    path = name;
  }
  ~TempFile() { ::unlink(path.c_str()); }
};

InspectError load_error(const std::string& path, const std::string& type = "demo::Sample") {
  try {
    load_layout_from_dwarf(path, type);
  } catch (const InspectError& e) {
    return e;
  }
  FAIL("loaded " << type << " from " << path);
  return InspectError(ErrorKind::System, "");
}

bool contains(const InspectError& e, const std::string& text) {
  return std::string(e.what()).find(text) != std::string::npos;
}

// The file offset of a section's contents, by name (64-bit little-endian ELF).
std::uint64_t section_offset(const std::string& elf, const std::string& name) {
  Elf64_Ehdr eh;
  std::memcpy(&eh, elf.data(), sizeof eh);
  std::vector<Elf64_Shdr> sh(eh.e_shnum);
  std::memcpy(sh.data(), elf.data() + eh.e_shoff, sizeof(Elf64_Shdr) * eh.e_shnum);
  const char* names = elf.data() + sh[eh.e_shstrndx].sh_offset;
  for (const auto& s : sh) {
    if (name == names + s.sh_name) return s.sh_offset;
  }
  FAIL("no section " << name);
  return 0;
}

}  // namespace

TEST_CASE("Truncated or garbled or non-ELF files are refused with a message") {
  shmtest::Watchdog watchdog(std::chrono::seconds(90));
  const std::string elf = read_all(target_path());
  REQUIRE(elf.size() > 4096);
  for (const std::size_t keep : {std::size_t{0}, std::size_t{3}, std::size_t{64}, std::size_t{4096}, elf.size() / 2, elf.size() - 1}) {
    CAPTURE(keep);
    TempFile cut(elf.substr(0, keep));
    const auto e = load_error(cut.path);
    CHECK(e.kind() == ErrorKind::BadElf);
    CHECK(contains(e, cut.path));
  }
  TempFile text("this is not an ELF file\n");
  CHECK(contains(load_error(text.path), "not an ELF file"));

  // Garbled debug info: flip bytes inside .debug_info and .debug_abbrev. Either a clear error
  // or some layout; never a crash or a hang (the watchdog).
  const std::uint64_t info = section_offset(elf, ".debug_info");
  const std::uint64_t abbrev = section_offset(elf, ".debug_abbrev");
  std::mt19937 random(1234);
  int refused = 0;
  for (int round = 0; round < 40; ++round) {
    std::string bad = elf;
    for (int i = 0; i < 16; ++i) {
      const std::uint64_t base = i % 2 ? info : abbrev;
      bad[base + random() % 2048] ^= static_cast<char>(1 + random() % 255);
    }
    TempFile garbled(bad);
    try {
      const Layout layout = load_layout_from_dwarf(garbled.path, "demo::Sample");
      decode(layout, std::vector<std::uint8_t>(layout.size, 0xab));
    } catch (const InspectError& e) {
      ++refused;
      CHECK(std::string(e.what()).size() > 10);
    }
  }
  MESSAGE(refused << " of 40 garbled files refused, the rest decoded");
}

TEST_CASE("A stripped binary finds its separate debug file through .gnu_debuglink") {
  const std::string dir = "/tmp/shminspect-debuglink-" + std::to_string(::getpid());
  const std::string binary = dir + "/inspect_target";
  const std::string commands =
      "mkdir -p " + dir + " && objcopy --only-keep-debug " + target_path() + " " + binary +
      ".debug && objcopy --strip-debug --add-gnu-debuglink=" + binary + ".debug " + target_path() +
      " " + binary;
  REQUIRE(std::system(commands.c_str()) == 0);
  const Layout layout = load_layout_from_dwarf(binary, "demo::Sample");
  CHECK(layout.source == "DWARF of " + binary + ".debug");
  CHECK(compare_layouts(layout, load_layout_from_dwarf(target_path(), "demo::Sample")) == "");
  CHECK(layout.build_id == load_layout_from_dwarf(target_path(), "demo::Sample").build_id);
  DwarfOptions no_search;
  no_search.find_separate_debug = false;
  CHECK_THROWS_AS(load_layout_from_dwarf(binary, "demo::Sample", no_search), InspectError);
  CHECK(std::system(("rm -rf " + dir).c_str()) == 0);
}

TEST_CASE("No debug info or zstd-compressed sections: the message says what to do") {
  const std::string stripped = "/tmp/shminspect-stripped-" + std::to_string(::getpid());
  REQUIRE(std::system(("objcopy --strip-debug " + target_path() + " " + stripped).c_str()) == 0);
  const auto none = load_error(stripped);
  ::unlink(stripped.c_str());
  CHECK(none.kind() == ErrorKind::BadElf);
  CHECK(contains(none, "no DWARF debug info"));
  CHECK(contains(none, "build-id"));

  // gcc 12 cannot write zstd sections: mark the zlib build's .debug_info as zstd (ch_type 2).
  std::string elf = read_all(target_path("_zlib"));
  const std::uint64_t info = section_offset(elf, ".debug_info");
  Elf64_Chdr chdr;
  std::memcpy(&chdr, elf.data() + info, sizeof chdr);
  REQUIRE(chdr.ch_type == ELFCOMPRESS_ZLIB);
  chdr.ch_type = 2;  // ELFCOMPRESS_ZSTD
  std::memcpy(elf.data() + info, &chdr, sizeof chdr);
  TempFile zstd(elf);
  const auto e = load_error(zstd.path);
  CHECK(e.kind() == ErrorKind::Unsupported);
  CHECK(contains(e, ".debug_info is compressed with zstd"));
  CHECK(contains(e, "elfutils 0.188"));
}

TEST_CASE("A missing type lists close matches and an ambiguous one lists the candidates") {
  auto e = load_error(target_path(), "demo::Sampel");
  CHECK(e.kind() == ErrorKind::NotFound);
  CHECK(contains(e, "close matches: demo::Sample"));
  e = load_error(target_path(), "Point");
  CHECK(e.kind() == ErrorKind::Ambiguous);
  CHECK(contains(e, "demo::Point, demo::v2::Point"));
  e = load_error(target_path(), "Config");  // two C units, two different structs
  CHECK(e.kind() == ErrorKind::Ambiguous);
  CHECK(contains(e, "type 'Config' has 2 different definitions"));
  // A bare name that is unique is found and says where.
  const Layout flags = load_layout_from_dwarf(target_path(), "Flags");
  CHECK(flags.type_name == "demo::Flags");
  REQUIRE(flags.notes.size() == 1);
  CHECK(flags.notes[0] == "'Flags' found as 'demo::Flags'");
  CHECK(load_error("/nonexistent/binary").kind() == ErrorKind::NotFound);
}

TEST_CASE("A segment shrunk to 0 then recreated then removed while viewed is reported and does not crash") {
  shmtest::Watchdog watchdog(std::chrono::seconds(60));
  const Layout layout = load_layout_from_dwarf(target_path(), "demo::Sample");
  Target target("shrink", "--step", "4");
  auto reader = SegmentReader::open_shm(target.name);
  Sample s = reader.read();
  REQUIRE(s.segment_size == layout.size);
  check_step(by_path(decode(layout, s)), 4);

  REQUIRE(::truncate(target.path().c_str(), 0) == 0);
  s = reader.read();
  CHECK(s.present);
  CHECK(s.event == SegmentEvent::Resized);
  CHECK(s.message.find("192 -> 0 bytes") != std::string::npos);
  CHECK(s.bytes.empty());
  for (const auto& v : decode(layout, s)) CHECK_FALSE(v.available);

  // Recreated: a new file (new inode) under the same name, holding step 6.
  const std::string saved = target.path() + ".new";
  {
    std::vector<std::uint8_t> bytes(sizeof(demo::Sample));
    auto* sample = new (bytes.data()) demo::Sample{};
    demo::fill_sample(*sample, 6);
    sample->seq = 12;
    std::ofstream(saved, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  REQUIRE(::rename(saved.c_str(), target.path().c_str()) == 0);
  s = reader.read();
  CHECK(s.event == SegmentEvent::Recreated);
  CHECK(s.message.find("recreated") != std::string::npos);
  check_step(by_path(decode(layout, s)), 6);

  REQUIRE(::unlink(target.path().c_str()) == 0);
  s = reader.read();
  CHECK_FALSE(s.present);
  CHECK(s.event == SegmentEvent::Vanished);
  CHECK(s.message.find("vanished") != std::string::npos);
  s = reader.read();
  CHECK(s.event == SegmentEvent::None);
  CHECK_FALSE(s.present);

  std::ofstream(target.path(), std::ios::binary) << std::string(8, 'x');
  s = reader.read();
  CHECK(s.event == SegmentEvent::Reappeared);
  CHECK(s.segment_size == 8);
  const auto v = by_path(decode(layout, s));
  CHECK(v.at("seq").available);
  CHECK_FALSE(v.at("temperature").available);
}

TEST_CASE("A segment the user may not read gets a clear message") {
  shmtest::Watchdog watchdog(std::chrono::seconds(30));
  Target target("private", "--step", "1");  // created 0600 by this user
  if (::geteuid() == 0) {
    // root reads everything: ask as nobody instead.
    auto child = shmtest::ChildProcess::fork([&] {
      if (::setgid(65534) != 0 || ::setuid(65534) != 0) return 3;
      try {
        SegmentReader::open_shm(target.name);
        return 1;
      } catch (const InspectError& e) {
        const std::string what = e.what();
        return e.kind() == ErrorKind::Permission && what.find("not readable by this user") != std::string::npos &&
                       what.find("mode rw-------") != std::string::npos
                   ? 0
                   : 2;
      }
    });
    CHECK(child.wait_for(std::chrono::seconds(20)) == 0);
  } else {
    REQUIRE(::chmod(target.path().c_str(), 0) == 0);
    try {
      SegmentReader::open_shm(target.name);
      FAIL("opened");
    } catch (const InspectError& e) {
      CHECK(e.kind() == ErrorKind::Permission);
    }
  }
  try {
    SegmentReader::open_shm(target.name + "x");
    FAIL("opened");
  } catch (const InspectError& e) {
    CHECK(e.kind() == ErrorKind::NotFound);
    CHECK(std::string(e.what()).find(target.name) != std::string::npos);  // a close match
  }
}

TEST_CASE("A layout whose nested arrays multiply to billions of values decodes a bounded number of them") {
  const Layout layout = parse_layout_file(
      "meta: {id: nest, endian: le, -size: 1000000}\n"
      "seq:\n"
      "  - {id: cells, type: u1, offset: 0, repeat: expr, repeat-expr: 100, -inner-dims: [100, 100]}\n");
  DecodeOptions options;
  options.max_array_elements = 100;
  options.max_values = 5000;
  const auto values = decode(layout, std::vector<std::uint8_t>(layout.size, 1), options);
  CHECK(values.size() <= options.max_values + 100);
  CHECK(values.size() >= options.max_values);
  REQUIRE(values.size() > 2);
  CHECK(values[1].text.find("100 elements") == 0);
  CHECK(values[1].text.find("shown: over 5000 values in all") != std::string::npos);
}

namespace {

// Fields expanded, and placeholders named as not expanded (members met past the bound).
void count_fields(const Field& f, std::size_t& expanded, std::size_t& cut) {
  if (f.type_name.find("not expanded: over 20000 fields") != std::string::npos) {
    ++cut;
    return;
  }
  ++expanded;
  for (const Field& c : f.children) count_fields(c, expanded, cut);
}

}  // namespace

TEST_CASE("A struct DAG that would expand into hundreds of thousands of fields stops at 20,000 and says so") {
  // Found by dwarf_fuzz: struct types that each hold several members of the next one. Before
  // the bound of 20,000 (DwarfOptions::max_fields) it expanded to 200,000 fields, 840 MB.
  const std::string path =
      std::string(SHMINSPECT_TEST_DIR) + "/../fuzz/corpus/dwarf/regression_struct_dag_4cc286c1.o";
  DwarfOptions options;  // the default bounds
  CHECK(options.max_fields == 20'000);
  // In this process, to count what was built (the isolated reader's reply of this crafted tree
  // is refused when it is read back, as any inconsistent reply is).
  options.isolate = false;
  bool any_cut = false;
  std::vector<std::string> names{"demo::Sample"};  // the seed's type, as dwarf_fuzz tries it
  for (const std::string& name : list_dwarf_types(path, options)) names.push_back(name);
  for (const std::string& name : names) {
    try {
      const Layout layout = load_layout_from_dwarf(path, name, options);
      std::size_t expanded = 0, cut = 0;
      count_fields(layout.root, expanded, cut);
      MESSAGE(name << ": " << expanded << " fields expanded, " << cut << " named as not expanded");
      // The bound, plus the dimensions of arrays still open when it was reached (at most 15
      // each, at most 48 deep).
      CHECK(expanded <= 20'000 + 48 * 15);
      any_cut = any_cut || cut > 0;
    } catch (const InspectError& e) {
      MESSAGE(name << ": " << std::string(e.what()));
    }
  }
  CHECK(any_cut);
}
