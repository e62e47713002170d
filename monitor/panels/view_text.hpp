// Words for numbers: durations, ages, who did something. Shared by every view model so the
// panels say things the same way ("child (pid 4242)", "1.25 s ago").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "shmipc/block.hpp"

namespace shmscope {

std::string duration_text(std::uint64_t ns);  // "850 us", "3.2 ms", "1.25 s", "2 min 5 s"
// "never" when t_ns is 0; "just now" for a time after now (clocks read in different order).
std::string age_text(std::uint64_t now_ns, std::uint64_t t_ns);
std::string_view role_word(shmipc::Role role);               // "parent", "child", "observer", ...
std::string who_text(shmipc::Role role, std::uint32_t pid);  // "child (pid 4242)"
// Bytes as a one-line printable preview: control bytes become '.', cut at max_chars.
std::string printable_preview(std::string_view bytes, std::size_t max_chars);

}  // namespace shmscope
