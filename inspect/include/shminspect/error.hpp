// One exception type for the inspect library: every message names the problem and where it is
// (file and line, ELF path, field, segment), so a caller prints what() as it is.
#pragma once

#include <stdexcept>
#include <string>

namespace shminspect {

enum class ErrorKind {
  NotFound,      // no such file, segment or type (the message lists close matches)
  Ambiguous,     // more than one type matches (the message lists them)
  BadElf,        // not an ELF, truncated, or no usable DWARF
  Unsupported,   // e.g. zstd-compressed debug sections (elfutils 0.188)
  BadLayout,     // a layout file that breaks the format (the message names the line)
  BadCondition,  // a watch condition that does not parse
  Permission,    // the user may not read it
  System,        // an OS call failed (errno text in the message)
};

class InspectError : public std::runtime_error {
 public:
  InspectError(ErrorKind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

}  // namespace shminspect
