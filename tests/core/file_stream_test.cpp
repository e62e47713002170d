// `shmipc child --send-file` and `shmipc parent --out`: a file of any size through the
// 1000-byte block, two real processes, compared byte for byte.
#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "test_process.hpp"

using namespace std::chrono_literals;

namespace {

std::string temp_file(const std::string& label) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/shmipc-stream-test-" +
         std::to_string(::getpid()) + "-" + label;
}

std::vector<char> random_bytes(std::size_t n, unsigned seed) {
  std::vector<char> data(n);
  std::mt19937 gen(seed);
  for (char& c : data) c = static_cast<char>(gen() & 0xff);
  return data;
}

void write_file(const std::string& path, const std::vector<char>& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

std::vector<char> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct Cleanup {
  std::string session;
  std::vector<std::string> files;
  ~Cleanup() {
    shmtest::remove_segment(session);
    for (const auto& f : files) ::unlink(f.c_str());
  }
};

std::vector<std::string> command(const std::string& sub, const std::string& session,
                                 std::vector<std::string> extra) {
  std::vector<std::string> argv{shmtest::binary_path("shmipc"), sub, "--session", session};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

}  // namespace

TEST_CASE("a few MB of random bytes arrive byte-identical, in 1000-byte chunks with receipts") {
  shmtest::Watchdog watchdog(120s, "file stream");
  // Not a multiple of 1000: the last chunk is short. Every byte value, NULs included.
  for (std::size_t size : {std::size_t{3 * 1024 * 1024 + 517}, std::size_t{0}, std::size_t{1000}}) {
    CAPTURE(size);
    const std::string session = shmtest::unique_session_name("stream");
    const std::string in = temp_file("in");
    const std::string out = temp_file("out");
    Cleanup cleanup{session, {in, out}};
    const std::vector<char> data = random_bytes(size, static_cast<unsigned>(size));
    write_file(in, data);

    auto parent = shmtest::ChildProcess::spawn(command("parent", session, {"--out", out}));
    REQUIRE(shmtest::eventually(
        [&] { return parent.stdout_text().find("waiting for the child") != std::string::npos; },
        10s));
    auto child = shmtest::ChildProcess::spawn(command("child", session, {"--send-file", in, "--kill"}));
    CHECK(child.wait_for(90s) == 0);
    CHECK(parent.wait_for(20s) == 0);
    const std::string expected_chunks = std::to_string((size + 999) / 1000);
    CHECK(child.stdout_text().find("sent " + in + ": " + std::to_string(size) + " bytes in " +
                                   expected_chunks + " messages, each received by the parent") !=
          std::string::npos);
    CHECK(parent.stdout_text().find("received " + std::to_string(size) + " bytes in " +
                                    expected_chunks + " messages into " + out) != std::string::npos);
    const std::vector<char> got = read_file(out);
    CHECK(got.size() == data.size());
    CHECK(got == data);
  }
}

TEST_CASE("--send-file with a file that cannot be read is refused before joining, naming it") {
  const std::string session = shmtest::unique_session_name("stream-missing");
  Cleanup cleanup{session, {}};
  const std::string missing = temp_file("does-not-exist");
  auto child = shmtest::ChildProcess::spawn(command("child", session, {"--send-file", missing}));
  CHECK(child.wait_for(20s) == 2);
  CHECK(child.stderr_text().find(missing) != std::string::npos);
  CHECK_FALSE(shmtest::segment_exists(session));
}

TEST_CASE("parent --out into a folder that does not exist fails naming the file") {
  shmtest::Watchdog watchdog(60s, "bad --out");
  const std::string session = shmtest::unique_session_name("stream-badout");
  Cleanup cleanup{session, {}};
  const std::string bad = temp_file("no-such-dir") + "/out.bin";
  auto parent = shmtest::ChildProcess::spawn(command("parent", session, {"--out", bad}));
  CHECK(parent.wait_for(20s) == 2);
  CHECK(parent.stderr_text().find(bad) != std::string::npos);
}
