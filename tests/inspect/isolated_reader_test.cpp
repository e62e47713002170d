// The DWARF reader runs in a forked child (inspect/src/isolated_call.hpp): whatever a damaged
// or crafted ELF makes libdw do there (crash, spin, allocate without end), the caller gets an
// InspectError naming the file, and its own process carries on.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "inspect_fixtures.hpp"
#include "isolated_call.hpp"

using namespace shminspect;
using namespace inspect_test;

namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

InspectError isolated_error(const IsolationLimits& limits, const std::function<std::vector<std::string>()>& work) {
  try {
    run_isolated("reading the DWARF of ./app", limits, work);
  } catch (const InspectError& e) {
    return e;
  }
  FAIL("the isolated work did not fail");
  return InspectError(ErrorKind::System, "");
}

std::string what(const InspectError& e) { return e.what(); }

}  // namespace

TEST_CASE("A reader that crashes becomes an error naming the file and the signal") {
  const auto e = isolated_error({}, []() -> std::vector<std::string> {
    ::raise(SIGSEGV);
    return {};
  });
  CHECK(e.kind() == ErrorKind::System);
  CHECK(what(e).find("reading the DWARF of ./app") == 0);
  CHECK(what(e).find("crashed (signal 11, Segmentation fault)") != std::string::npos);
  CHECK(what(e).find("damaged or crafted") != std::string::npos);
}

TEST_CASE("A reader that never finishes is stopped at its deadline") {
  IsolationLimits limits;
  limits.timeout = std::chrono::milliseconds(300);
  const auto started = std::chrono::steady_clock::now();
  const auto e = isolated_error(limits, []() -> std::vector<std::string> {
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
  });
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
  CHECK(what(e).find("took longer than") != std::string::npos);
}

TEST_CASE("A reader over its memory limit is stopped with a message saying so") {
  if (kSanitized) {
    MESSAGE("skipped: the memory limit is not applied under a sanitizer");
    return;
  }
  IsolationLimits limits;
  limits.memory_bytes = 256u << 20;
  const auto e = isolated_error(limits, []() -> std::vector<std::string> {
    std::vector<char> huge(std::size_t{1} << 31, 'x');
    return {std::string(1, huge.back())};
  });
  CHECK(what(e).find("needed more than 256 MiB") != std::string::npos);
}

TEST_CASE("The reader's own error comes back with its kind and text, its result with every string") {
  const auto e = isolated_error({}, []() -> std::vector<std::string> {
    throw InspectError(ErrorKind::Ambiguous, "type 'X' is ambiguous");
  });
  CHECK(e.kind() == ErrorKind::Ambiguous);
  CHECK(what(e) == "type 'X' is ambiguous");
  const std::string big(1 << 20, 'b');
  const auto out = run_isolated("x", {}, [&] { return std::vector<std::string>{"", "a", big}; });
  REQUIRE(out.size() == 3);
  CHECK(out[0].empty());
  CHECK(out[1] == "a");
  CHECK(out[2] == big);
}

TEST_CASE("A layout read in the isolated child equals the one read in-process, provenance included") {
  DwarfOptions in_process;
  in_process.isolate = false;
  for (const std::string type : {"demo::Sample", "Ring", "KSharedMemory", "Flags"}) {
    CAPTURE(type);
    const Layout direct = load_layout_from_dwarf(target_path(), type, in_process);
    const Layout isolated = load_layout_from_dwarf(target_path(), type);
    CHECK(compare_layouts(direct, isolated) == "");
    CHECK(isolated.type_name == direct.type_name);
    CHECK(isolated.source == direct.source);
    CHECK(isolated.build_id == direct.build_id);
    CHECK(isolated.notes == direct.notes);
  }
  CHECK(list_dwarf_types(target_path()) == list_dwarf_types(target_path(), in_process));
  CHECK_THROWS_WITH_AS(load_layout_from_dwarf(target_path(), "demo::Sampel"),
                       doctest::Contains("close matches: demo::Sample"), InspectError);
}
