#include "panels/act_view.hpp"

#include <cctype>

#include "panels/view_text.hpp"
#include "shmipc/session_name.hpp"

namespace shmscope {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

ParsedBytes parse_input_bytes(const std::string& input, bool is_hex, std::size_t capacity) {
  ParsedBytes p;
  if (!is_hex) {
    p.bytes = input;
  } else {
    int pending = -1;
    for (std::size_t i = 0; i < input.size(); ++i) {
      const char c = input[i];
      if (pending < 0 && c == '0' && i + 1 < input.size() &&
          (input[i + 1] == 'x' || input[i + 1] == 'X')) {
        ++i;  // "0x" prefix
        continue;
      }
      if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
        if (pending >= 0) {
          p.error = "hex digits come in pairs: a lone digit before position " + std::to_string(i);
          return p;
        }
        continue;
      }
      const int d = hex_digit(c);
      if (d < 0) {
        p.error = std::string("'") + c + "' at position " + std::to_string(i) +
                  " is not a hex digit (use 0-9, a-f, e.g. 48 65 6c 6c 6f)";
        return p;
      }
      if (pending < 0) {
        pending = d;
      } else {
        p.bytes += static_cast<char>(pending * 16 + d);
        pending = -1;
      }
    }
    if (pending >= 0) {
      p.error = "hex digits come in pairs: the last digit has no partner";
      return p;
    }
  }
  if (p.bytes.size() > capacity) {
    p.error = std::to_string(p.bytes.size()) + " bytes is over the capacity of " +
              std::to_string(capacity) + ": nothing would be sent (messages are never truncated)";
    return p;
  }
  p.ok = true;
  return p;
}

ActView make_act_view(const PanelInput& in, const UiState& ui) {
  ActView v;
  const ActingState& a = in.acting;
  v.attached = a.attached;
  if (!a.attached) {
    v.status = a.found_sessions.empty()
                   ? "No session attached. Start one with this window as its parent, or type the "
                     "name of one that a program will create."
                   : "No session attached: pick one below, type its name, or start a new one.";
    if (ui.attach_input.empty()) {
      v.start_parent_why = "type a session name first";
    } else if (auto problem = shmipc::session_name_problem(ui.attach_input)) {
      v.start_parent_why = *problem;
    }
    v.can_start_parent = v.start_parent_why.empty();
  } else {
    v.status = "Attached to " + a.session_name + " as " + std::string(role_word(a.role));
    if (a.role == shmipc::Role::Child || a.role == shmipc::Role::Parent) {
      v.status += a.mode == shmipc::PeerMode::SeedFaithful ? " (seed-faithful)" : " (reliable)";
    }
    v.status += ".";
  }
  const bool observing = a.role == shmipc::Role::Observer || a.role == shmipc::Role::None;
  const shmipc::Snapshot* snap = in.history.latest();
  auto slot_why = [&](std::size_t slot, const char* word) -> std::string {
    if (!a.attached) return "attach to a session first";
    if (!observing) return "leave your current role first";
    if (snap == nullptr) return "waiting for the first snapshot";
    const shmipc::SnapshotParticipant& p = snap->participants[slot];
    if (p.in_use() && p.alive) {
      return std::string("a live ") + word + " (pid " + std::to_string(p.pid) + ") has the slot";
    }
    return {};
  };
  v.join_parent_why = slot_why(shmipc::kParentSlot, "parent");
  v.join_child_why = slot_why(shmipc::kChildSlot, "child");
  v.can_join_parent = v.join_parent_why.empty();
  v.can_join_child = v.join_child_why.empty();
  v.can_leave = a.attached && !observing;
  v.as_child = a.attached && a.role == shmipc::Role::Child;
  v.as_parent = a.attached && a.role == shmipc::Role::Parent;
  v.message = parse_input_bytes(ui.message_input, ui.message_is_hex);
  if (v.message.ok && v.message.bytes.empty()) {
    v.message.ok = false;
    v.message.error = "type a message first";
  }
  const std::size_t room =
      ui.inject_raw_offset >= 0 &&
              static_cast<std::size_t>(ui.inject_raw_offset) < shmipc::kDataCapacity
          ? shmipc::kDataCapacity - static_cast<std::size_t>(ui.inject_raw_offset)
          : 0;
  v.raw_injection = parse_input_bytes(ui.inject_raw_hex, true, room);
  if (room == 0) {
    v.raw_injection.ok = false;
    v.raw_injection.error = "the offset must be 0..999 (inside data[1000])";
  } else if (v.raw_injection.ok && v.raw_injection.bytes.empty()) {
    v.raw_injection.ok = false;
    v.raw_injection.error = "type the bytes to write, in hex";
  }
  if (v.raw_injection.ok) {
    v.raw_injection_range =
        "writes data[" + std::to_string(ui.inject_raw_offset) + ", " +
        std::to_string(ui.inject_raw_offset + static_cast<int>(v.raw_injection.bytes.size())) + ")";
  }
  return v;
}

}  // namespace shmscope
