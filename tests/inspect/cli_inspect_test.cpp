// `shmipc inspect` as a user runs it, against the real test program and its segment.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "inspect_fixtures.hpp"

using namespace inspect_test;

namespace {

struct Run {
  int code;
  std::string out, err;
};

Run shmipc(const std::vector<std::string>& args) {
  std::vector<std::string> argv{shmtest::binary_path("shmipc"), "inspect"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto p = shmtest::ChildProcess::spawn(argv);
  const auto code = p.wait_for(std::chrono::seconds(60));
  REQUIRE_MESSAGE(code.has_value(), "shmipc inspect did not finish");
  return {*code, p.stdout_text(), p.stderr_text()};
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("shmipc inspect NAME --type T --from BIN prints the decoded struct and its facts") {
  shmtest::Watchdog watchdog(std::chrono::seconds(90));
  Target target("cli", "--step", "7");
  const auto r = shmipc({target.name, "--type", "demo::Sample", "--from", target_path()});
  CAPTURE(r.out);
  CAPTURE(r.err);
  REQUIRE(r.code == 0);
  CHECK(has(r.out, "demo::Sample (192 bytes) from DWARF of " + target_path() + ", build-id "));
  CHECK(has(r.out, "/dev/shm/" + target.name + ": 192 bytes"));
  CHECK(has(r.out, "mode               @16      1  Running (1)"));
  CHECK(has(r.out, "name               @24     16  \"step-7\""));
  CHECK(has(r.out, "  delta            @128     4:6+4  -1"));
  CHECK(has(r.out, "counter            @132     4  21  [atomic]"));
  CHECK(has(r.out, "layout facts: 192 bytes in 3 cache lines\n"));
  CHECK(has(r.out, "hole of 7 bytes after 'alive' before 'gauge' (bytes 137..143)"));

  const auto j = shmipc({target.name, "--type", "demo::Sample", "--from", target_path(), "--json"});
  REQUIRE(j.code == 0);
  const auto doc = nlohmann::json::parse(j.out);
  CHECK(doc["type"] == "demo::Sample");
  std::map<std::string, nlohmann::json> fields;
  for (const auto& f : doc["fields"]) fields[f["path"]] = f;
  CHECK(fields["temperature"]["value"] == -13);
  CHECK(fields["enabled"]["value"] == true);
  CHECK(fields["pos.y"]["value"] == -1.75);
  CHECK(fields["mode"]["enumerator"] == "Running");
  CHECK(fields["name"]["text"] == "\"step-7\"");
  CHECK(fields["flags.delta"]["bit_size"] == 4);
  CHECK(fields["last"]["atomic"] == true);

  // The same through the layout file, and through --file.
  const auto f = shmipc({"--file", target.path(), "--layout", source_file("sample.ksy")});
  REQUIRE(f.code == 0);
  CHECK(has(f.out, "\"step-7\""));
  CHECK(has(f.out, "from layout file " + source_file("sample.ksy")));
}

TEST_CASE("shmipc inspect --watch --until stops when the condition fires") {
  shmtest::Watchdog watchdog(std::chrono::seconds(90));
  Target target("cli-watch", "--run", "2");
  const auto r = shmipc({target.name, "--type", "demo::Sample", "--from", target_path(), "--watch",
                         "--interval", "20", "--count", "500", "--seqlock", "seq", "--until",
                         "mode becomes Error", "--json"});
  CAPTURE(r.err);
  REQUIRE(r.code == 0);
  CHECK(has(r.out, "watch: mode is now Error (2) (mode becomes Error)"));
  // Every JSON line before it is one sample.
  const auto first = nlohmann::json::parse(r.out.substr(0, r.out.find('\n')));
  CHECK(first["present"] == true);
  CHECK(first["type"] == "demo::Sample");

  const auto never = shmipc({target.name, "--type", "demo::Sample", "--from", target_path(), "--watch",
                             "--interval", "5", "--count", "3", "--until", "alive changes"});
  CHECK(never.code == 10);
  CHECK(has(never.err, "did not fire in 3 samples"));
}

TEST_CASE("shmipc inspect --watch reports a segment that vanishes while watched") {
  shmtest::Watchdog watchdog(std::chrono::seconds(90));
  Target target("cli-vanish", "--step", "2");
  auto watch = shmtest::ChildProcess::spawn({shmtest::binary_path("shmipc"), "inspect", target.name, "--type",
                                             "demo::Sample", "--from", target_path(), "--watch",
                                             "--interval", "20", "--count", "400"});
  REQUIRE(shmtest::eventually([&] { return has(watch.stdout_text(), "\"step-2\""); }, std::chrono::seconds(30)));
  REQUIRE(::unlink(target.path().c_str()) == 0);
  REQUIRE(shmtest::eventually([&] { return has(watch.stdout_text(), "vanished (removed while viewed)"); },
                              std::chrono::seconds(30)));
  watch.kill(SIGTERM);
  CHECK(watch.wait_for(std::chrono::seconds(10)).has_value());
}

TEST_CASE("shmipc inspect: errors are clear and exit with the documented codes") {
  shmtest::Watchdog watchdog(std::chrono::seconds(90));
  Target target("cli-errors", "--step", "1");
  auto r = shmipc({target.name, "--type", "demo::Sampel", "--from", target_path()});
  CHECK(r.code == 6);
  CHECK(has(r.err, "close matches: demo::Sample"));
  r = shmipc({"no-such-segment-" + target.name, "--type", "demo::Sample", "--from", target_path()});
  CHECK(r.code == 6);
  CHECK(has(r.err, "no such segment"));
  r = shmipc({target.name, "--type", "demo::Sample"});
  CHECK(r.code == 2);
  CHECK(has(r.err, "need --type TYPE and --from BINARY"));
  r = shmipc({target.name, "--type", "demo::Sample", "--from", "/etc/hostname"});
  CHECK(r.code == 8);
  CHECK(has(r.err, "not an ELF file"));
  r = shmipc({target.name, "--layout", source_file("inspect_target.cpp")});
  CHECK(r.code == 2);
  CHECK(has(r.err, source_file("inspect_target.cpp") + ":"));
  r = shmipc({target.name, "--type", "demo::Sample", "--from", target_path(), "--watch", "--count", "1", "--until", "seq frobs"});
  CHECK(r.code == 2);
  CHECK(has(r.err, "'frobs' is not understood"));
}

TEST_CASE("shmipc inspect --emit-layout and --segments") {
  shmtest::Watchdog watchdog(std::chrono::seconds(90));
  const auto r = shmipc({"--type", "KSharedMemory", "--from", target_path(), "--emit-layout"});
  REQUIRE(r.code == 0);
  const auto layout = shminspect::parse_layout_file(r.out);
  CHECK(layout.size == 1012);

  Target target("cli-list", "--step", "1");
  const auto list = shmipc({"--segments"});
  REQUIRE(list.code == 0);
  CHECK(has(list.out, target.name));
  CHECK(has(list.out, std::to_string(target.process.pid()) + " inspect_target"));
  const auto json = shmipc({"--segments", "--json"});
  REQUIRE(json.code == 0);
  bool found = false;
  for (const auto& s : nlohmann::json::parse(json.out)) {
    if (s["name"] == target.name) {
      found = true;
      CHECK(s["size"] == 192);
      CHECK(s["mode"] == "rw-------");
    }
  }
  CHECK(found);
}
