// One exception type for the library; its code maps to the documented exit codes of the
// `shmipc` command (docs/PROTOCOL.md, "Exit codes").
#pragma once

#include <stdexcept>
#include <string>

namespace shmipc {

enum class ErrorCode : int {
  Usage = 2,             // bad command line
  InvalidName = 3,       // session name not 1-64 of [A-Za-z0-9._-]
  SessionFull = 4,       // parent and child both taken
  RoleTaken = 5,         // the forced role is taken
  NotFound = 6,          // no such session
  Untrusted = 7,         // segment not ours: wrong owner, permissions or size
  Corrupt = 8,           // bad magic / version / field out of range
  MessageTooLarge = 9,   // over kDataCapacity; nothing was written
  Timeout = 10,          // a wait ran out
  PeerGone = 11,         // the other side died or left
  System = 12,           // an OS call failed (errno in the message)
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& what) : std::runtime_error(what), code_(code) {}
  ErrorCode code() const noexcept { return code_; }
  int exit_code() const noexcept { return static_cast<int>(code_); }

 private:
  ErrorCode code_;
};

// Throws Error(System) naming the call and errno's text.
[[noreturn]] void throw_errno(const std::string& what, int err);

}  // namespace shmipc
