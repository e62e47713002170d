// Helpers of the tests that drive the `shmipc` command as real processes.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "test_process.hpp"

namespace shmtest {

// argv for `shmipc SUB --session SESSION EXTRA...` from this build.
inline std::vector<std::string> shmipc_cmd(const std::string& sub, const std::string& session,
                                           std::vector<std::string> extra = {}) {
  std::vector<std::string> argv{binary_path("shmipc"), sub, "--session", session};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

// Whether the process has printed `text` on its standard output so far.
inline bool says(const ChildProcess& p, const std::string& text) {
  return p.stdout_text().find(text) != std::string::npos;
}

// A command run to its end (at most 20 s): its exit code (-1 if it did not end) and output.
struct Run {
  int code = -1;
  std::string out, err;
};

inline Run run(const std::vector<std::string>& argv) {
  auto p = ChildProcess::spawn(argv);
  Run r;
  r.code = p.wait_for(std::chrono::seconds(20)).value_or(-1);
  r.out = p.stdout_text();
  r.err = p.stderr_text();
  return r;
}

// Removes the session's segment when the test ends, however it ends.
struct SegmentCleanup {
  std::string name;
  ~SegmentCleanup() { remove_segment(name); }
};

}  // namespace shmtest
