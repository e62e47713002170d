#include "shmipc/error.hpp"

#include <cstring>

namespace shmipc {

void throw_errno(const std::string& what, int err) {
  // strerror_r has two incompatible signatures; strerrordesc_np (glibc 2.32+) is thread-safe
  // and returns the text without a buffer.
  const char* text = ::strerrordesc_np(err);
  std::string message = what + " failed: " + (text != nullptr ? text : "unknown error") +
                        " (errno " + std::to_string(err) + ")";
  throw Error(ErrorCode::System, message);
}

}  // namespace shmipc
