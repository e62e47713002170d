// View model of the Act panel: what the user may do now (and why not), and the parsing of
// what they typed (message text or hex, raw injection bytes), with clear errors.
#pragma once

#include <string>

#include "panels/panels.hpp"

namespace shmscope {

struct ParsedBytes {
  bool ok = false;
  std::string bytes;
  std::string error;  // why not, in a sentence
};

// Text is taken as is; hex accepts "48 65 6c", "0x48,0x65", "48656c" (pairs of hex digits).
// More than `capacity` bytes is refused, never truncated.
ParsedBytes parse_input_bytes(const std::string& input, bool is_hex,
                              std::size_t capacity = shmipc::kDataCapacity);

struct ActView {
  bool attached = false;
  std::string status;  // "Attached to KBuildDevelop as observer", "No session attached"
  bool can_join_parent = false;
  bool can_join_child = false;
  std::string join_parent_why;  // empty when allowed
  std::string join_child_why;
  // Not attached: the name typed can be started as a new session, with this window as parent.
  bool can_start_parent = false;
  std::string start_parent_why;  // empty when allowed
  bool can_leave = false;
  bool as_child = false;
  bool as_parent = false;
  ParsedBytes message;  // the message input, parsed
  ParsedBytes raw_injection;
  std::string raw_injection_range;  // "data[10, 14)" or an error
};

ActView make_act_view(const PanelInput& in, const UiState& ui);

}  // namespace shmscope
