#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace shmipc {

inline constexpr std::string_view kDefaultSessionName = "KBuildDevelop";  // the article's

// Why `name` is not a valid session name (1-64 characters of A-Za-z0-9._-, not "." or ".."),
// or nullopt if it is. The message names the offending character and its position.
std::optional<std::string> session_name_problem(std::string_view name);

// Throws Error(InvalidName) with session_name_problem's message.
void validate_session_name(std::string_view name);

// The POSIX shared-memory object name for a session: "/shmscope.<name>".
std::string segment_name(std::string_view session);

}  // namespace shmipc
