#include "scenario_recording.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "shmipc/error.hpp"
#include "shmrecord/recording_thread.hpp"

namespace shmcli {

namespace {

// The recorder's reports: "ok" once the file is created, then a summary line; a failure is
// "error CODE MESSAGE".
void report(int fd, const std::string& line) {
  const std::string text = line + "\n";
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

std::string error_line(const shmipc::Error& e) {
  return "error " + std::to_string(e.exit_code()) + " " + e.what();
}

// Reads one line (without its newline), or what there is before end of file.
std::string read_line(int fd) {
  std::string line;
  char c = 0;
  for (;;) {
    const ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n') return line;
    line += c;
  }
}

// Throws the recorder's error, if the line is one.
void throw_if_error(const std::string& line) {
  if (line.rfind("error ", 0) != 0) return;
  const std::size_t space = line.find(' ', 6);
  const int code = std::atoi(line.substr(6, space - 6).c_str());
  throw shmipc::Error(static_cast<shmipc::ErrorCode>(code),
                      space == std::string::npos ? line : line.substr(space + 1));
}

[[noreturn]] void recorder_main(const std::string& session, const std::string& path, int stop_fd,
                                int report_fd) {
  try {
    shmrecord::RecordingThread thread(session, path, /*wait_for_session=*/true);
    report(report_fd, "ok");
    char byte = 0;
    while (::read(stop_fd, &byte, 1) < 0 && errno == EINTR) {
    }
    const shmrecord::EndReason reason = thread.stop();
    const auto s = thread.stats();
    report(report_fd, std::to_string(s.records) + " journal records, " + std::to_string(s.lost) +
                          " lost, " + std::to_string(s.bytes_written) +
                          " bytes; ended: " + std::string(shmrecord::end_reason_name(reason)));
  } catch (const shmipc::Error& e) {
    report(report_fd, error_line(e));
  } catch (const std::exception& e) {
    report(report_fd, error_line(shmipc::Error(shmipc::ErrorCode::System, e.what())));
  }
  ::_exit(0);  // not exit(): the parent's atexit handlers and statics are not ours
}

}  // namespace

std::string scenario_recording_session(const std::string& scenario_name) {
  return "scn-rec-" + scenario_name.substr(0, 32) + "-" + std::to_string(::getpid());
}

ScenarioRecording::ScenarioRecording(std::string session, const std::string& path)
    : session_(std::move(session)) {
  int stop[2], reports[2];
  if (::pipe2(stop, O_CLOEXEC) != 0) {
    throw shmipc::Error(shmipc::ErrorCode::System, std::string("pipe: ") + std::strerror(errno));
  }
  if (::pipe2(reports, O_CLOEXEC) != 0) {
    const int err = errno;
    ::close(stop[0]);
    ::close(stop[1]);
    throw shmipc::Error(shmipc::ErrorCode::System, std::string("pipe: ") + std::strerror(err));
  }
  pid_ = ::fork();
  if (pid_ == 0) {
    ::close(stop[1]);
    ::close(reports[0]);
    recorder_main(session_, path, stop[0], reports[1]);
  }
  const int err = errno;
  ::close(stop[0]);
  ::close(reports[1]);
  stop_fd_ = stop[1];
  report_fd_ = reports[0];
  if (pid_ < 0) {
    ::close(stop_fd_);
    ::close(report_fd_);
    throw shmipc::Error(shmipc::ErrorCode::System, std::string("fork: ") + std::strerror(err));
  }
  const std::string started = read_line(report_fd_);
  if (started != "ok") {
    stop_and_read();
    throw_if_error(started);
    throw shmipc::Error(shmipc::ErrorCode::System, "the recorder process ended before it started");
  }
}

ScenarioRecording::~ScenarioRecording() {
  if (pid_ > 0) stop_and_read();
}

std::string ScenarioRecording::stop_and_read() {
  report(stop_fd_, "s");
  ::close(stop_fd_);
  const std::string summary = read_line(report_fd_);
  ::close(report_fd_);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return summary;
}

std::string ScenarioRecording::finish() {
  const std::string summary = stop_and_read();
  // The runner removes a segment only for names it chose; this one was ours.
  ::unlink(("/dev/shm/shmscope." + session_).c_str());
  throw_if_error(summary);
  if (summary.empty()) {
    throw shmipc::Error(shmipc::ErrorCode::System, "the recorder process ended without a summary");
  }
  return summary;
}

}  // namespace shmcli
