// `shmipc scenario NAME --record FILE`: the run saved as a recording while it happens, by a
// shmrecord::RecordingThread that waits for the scenario's session and records it until the
// block goes away or the run is over.
#pragma once

#include <sys/types.h>

#include <string>

namespace shmcli {

// A session name of our own for the run, so the recorder knows what to follow.
std::string scenario_recording_session(const std::string& scenario_name);

// The recorder runs in a process of its own, forked before the run: the runner forks its
// actors and runs C++ in them without exec, which is safe only from a single-threaded process
// (a recorder thread holding an allocator lock at the fork left an actor blocked for good,
// seen under ASan as a child stuck in "join").
class ScenarioRecording {
 public:
  // Creates the file; throws shmipc::Error naming the problem if it cannot.
  ScenarioRecording(std::string session, const std::string& path);
  ~ScenarioRecording();  // a recorder not finished is stopped and waited for
  ScenarioRecording(const ScenarioRecording&) = delete;
  ScenarioRecording& operator=(const ScenarioRecording&) = delete;
  // Stops the recording (end marker written), removes a segment the run left behind, and
  // returns a one-line summary. Throws shmipc::Error if the recording failed.
  std::string finish();

 private:
  std::string stop_and_read();
  std::string session_;
  pid_t pid_ = -1;
  int stop_fd_ = -1;    // a byte written (or the descriptor closed): the recorder stops
  int report_fd_ = -1;  // the recorder's start line, then its summary
};

}  // namespace shmcli
