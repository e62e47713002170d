// Shared by the recording tests: running `shmipc` subcommands and reading files.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <thread>
#include <iterator>
#include <string>
#include <vector>

#include "cli_helpers.hpp"
#include "test_process.hpp"

namespace rectest {

// Whether the process has printed `text` on its standard output or its standard error: the
// record commands report progress on stderr when stdout carries the recording.
inline bool printed(const shmtest::ChildProcess& p, const std::string& text) {
  return shmtest::says(p, text) || p.stderr_text().find(text) != std::string::npos;
}

inline std::vector<std::string> cli(std::vector<std::string> args) {
  args.insert(args.begin(), shmtest::binary_path("shmipc"));
  return args;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline std::string temp_path(const std::string& label) {
  return "/tmp/" + shmtest::unique_session_name(label) + ".shmrec";
}

struct Cleanup {
  std::string session;
  std::vector<std::string> files;
  ~Cleanup() {
    shmtest::remove_segment(session);
    for (const auto& f : files) std::remove(f.c_str());
  }
};

using namespace std::chrono_literals;

// One real recording shared by the tests of a process: a parent and a child exchanging three messages.
inline const std::string& real_recording() {
  static const std::string bytes = [] {
    const std::string session = shmtest::unique_session_name("rec-damage");
    const std::string file = rectest::temp_path("rec-damage");
    rectest::Cleanup cleanup{session, {file}};
    auto parent = shmtest::ChildProcess::spawn(cli({"parent", "--session", session}));
    REQUIRE(shmtest::eventually([&] { return shmtest::segment_exists(session); }, 10s));
    // Full copies every 50 ms give the file many chunks of every kind.
    auto recorder = shmtest::ChildProcess::spawn(
        cli({"record", "--session", session, "--out", file, "--full-every", "0.05"}));
    REQUIRE(shmtest::eventually([&] { return recorder.stderr_text().find("recording") != std::string::npos; }, 10s));
    for (const char* text : {"one", "two", "three"}) {
      auto child = shmtest::ChildProcess::spawn(cli({"child", "--session", session, "--send", text}));
      REQUIRE(child.wait_for(20s) == std::optional<int>(0));
      std::this_thread::sleep_for(120ms);
    }
    auto stopper = shmtest::ChildProcess::spawn(cli({"child", "--session", session, "--kill"}));
    REQUIRE(stopper.wait_for(20s) == std::optional<int>(0));
    REQUIRE(parent.wait_for(20s) == std::optional<int>(0));
    REQUIRE(recorder.wait_for(20s) == std::optional<int>(0));
    return rectest::read_file(file);
  }();
  return bytes;
}

}  // namespace rectest
