// UTF-8 validation and quoting for text fields (char arrays) read from untrusted memory.
#pragma once

#include <string>
#include <string_view>

namespace shminspect {

bool valid_utf8(std::string_view s);
// A double-quoted, JSON-style escaped rendering ("a\nb" -> "\"a\\nb\"").
std::string quote(std::string_view s);

}  // namespace shminspect
