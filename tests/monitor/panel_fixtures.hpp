// What the headless panel tests share: blocks fabricated byte by byte at the offsets of
// docs/PROTOCOL.md (decoded by the real shmipc::decode_snapshot), and a Dear ImGui context
// with no window that renders frames and feeds mouse and keyboard input.
#pragma once

#include <doctest/doctest.h>
#include <imgui.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "model/session_history.hpp"
#include "panels/panels.hpp"
#include "shmipc/block.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/snapshot.hpp"
#include "ui/headless_imgui.hpp"
#include "ui/widget_registry.hpp"

namespace paneltest {

constexpr std::uint32_t kParentPid = 4241;
constexpr std::uint32_t kChildPid = 4242;
constexpr std::uint64_t kMs = 1'000'000;
constexpr std::uint64_t kT0 = 1'000'000 * kMs;  // a monotonic time well after boot

// A block as raw bytes, written at documented offsets (not through the C++ struct).
class FakeBlock {
 public:
  FakeBlock() : raw_(sizeof(shmipc::Block)) {
    put64(0, shmipc::kBlockMagic);
    put32(8, shmipc::kLayoutVersion);
    put32(12, static_cast<std::uint32_t>(sizeof(shmipc::Block)));
    put32(20, kParentPid);
    put64(32, kT0);
    put32(40, shmipc::kInitReady);
    put32(72, kParentPid);  // processID
  }
  void put8(std::size_t off, std::uint8_t v) { raw_.at(off) = std::byte{v}; }
  void put16(std::size_t off, std::uint16_t v) { put(off, &v, 2); }
  void put32(std::size_t off, std::uint32_t v) { put(off, &v, 4); }
  void put64(std::size_t off, std::uint64_t v) { put(off, &v, 8); }
  void put(std::size_t off, const void* p, std::size_t n) {
    REQUIRE(off + n <= raw_.size());
    std::memcpy(raw_.data() + off, p, n);
  }

  // Participant slot `slot` (0 parent, 1 child) in use.
  void participant(std::size_t slot, shmipc::Role role, std::uint32_t pid) {
    const std::size_t b = 2624 + 64 * slot;
    put32(b + 0, static_cast<std::uint32_t>(role));
    put32(b + 4, pid);
    put64(b + 16, kT0 + 10 * kMs);
    put64(b + 24, kT0 + 900 * kMs);
  }
  // A consistent message written by the child.
  void message(const std::string& text, std::uint64_t sequence) {
    put32(80, static_cast<std::uint32_t>(text.size()));
    put64(88, sequence);
    put32(96, kChildPid);
    put(128, text.data(), text.size());
    put32(84, shmipc::message_checksum(sequence, static_cast<std::uint32_t>(text.size()),
                                       reinterpret_cast<const char*>(raw_.data() + 128)));
  }
  void mutex_held(shmipc::Role role, std::uint32_t pid, std::uint64_t since,
                  std::uint32_t waiters) {
    put32(1216, pid);
    put32(1220, pid + 1);
    put32(1224, static_cast<std::uint32_t>(role));
    put32(1228, waiters);
    put64(1232, since);
    put64(1240, 3);
  }
  // Waiter slot `slot` (docs/PROTOCOL.md, offset 1600) held by `pid`, waiting on `mask`.
  void waiter(std::size_t slot, std::uint32_t pid, std::uint32_t mask) {
    const std::size_t b = 1600 + 64 * slot;
    put32(b + 0, pid);
    put32(b + 4, pid);
    put32(b + 8, mask);
  }
  void event_signalled(shmipc::EventId e, shmipc::Role setter, std::uint32_t pid, std::uint64_t t) {
    const std::size_t b = 1280 + 64 * static_cast<std::size_t>(e);
    put32(b + 0, 1);
    put32(b + 4, pid);
    put64(b + 8, 1);
    put64(b + 24, t);
    put32(b + 32, static_cast<std::uint32_t>(setter));
  }
  // Appends journal record n (the next one) at its documented place in the ring.
  void journal(shmipc::JournalKind kind, shmipc::Role role, std::uint32_t pid, std::uint64_t t,
               std::uint32_t arg = 0, std::uint64_t value = 0, const std::string& preview = {},
               std::uint8_t flags = 0) {
    const std::uint64_t n = next_++;
    const std::size_t b = 3264 + 64 * static_cast<std::size_t>(n % shmipc::kJournalCapacity);
    put64(b + 0, n + 1);
    put64(b + 8, t);
    put32(b + 16, pid);
    put32(b + 20, pid);
    put16(b + 24, static_cast<std::uint16_t>(kind));
    put8(b + 26, static_cast<std::uint8_t>(role));
    put8(b + 27, flags);
    put32(b + 28, arg);
    put64(b + 32, value);
    char pv[shmipc::kPreviewBytes] = {};
    std::memcpy(pv, preview.data(), std::min(preview.size(), sizeof pv));
    put(b + 40, pv, sizeof pv);
    put64(b + 56, n + 1);
    put64(3200, next_);
  }

  // Decodes the bytes as an observer would; `alive` marks which used slots are alive
  // (the observer's kernel lock probe, which bytes alone cannot say).
  shmipc::Snapshot snapshot(std::uint64_t taken_ns, bool parent_alive = true,
                            bool child_alive = true) const {
    shmipc::Snapshot s = shmipc::decode_snapshot(raw_);
    s.taken_ns = taken_ns;
    s.participants[0].alive = s.participants[0].in_use() && parent_alive;
    s.participants[1].alive = s.participants[1].in_use() && child_alive;
    return s;
  }
  void ingest_into(shmscope::SessionHistory& h, std::uint64_t taken_ns, bool parent_alive = true,
                   bool child_alive = true) const {
    const shmipc::Snapshot s = snapshot(taken_ns, parent_alive, child_alive);
    h.ingest(s, shmipc::journal_decode(raw_, h.journal_next()));
  }
  const std::vector<std::byte>& raw() const { return raw_; }

 private:
  std::vector<std::byte> raw_;
  std::uint64_t next_ = 0;
};

// A parent and a child in a session, the child's message "hello" delivered.
inline FakeBlock two_peers() {
  FakeBlock b;
  b.participant(0, shmipc::Role::Parent, kParentPid);
  b.participant(1, shmipc::Role::Child, kChildPid);
  b.put32(76, 1);  // childAck
  b.message("hello", 1);
  return b;
}

// A Dear ImGui context with no window: frames are built and rendered to draw lists only.
class Gui {
 public:
  Gui() : imgui_(ImVec2(1600, 1000)) {
    ImGuiIO& io = ImGui::GetIO();
    io.KeyMap[ImGuiKey_Backspace] = 1;
    io.KeyMap[ImGuiKey_Enter] = 2;
  }
  Gui(const Gui&) = delete;
  Gui& operator=(const Gui&) = delete;

  void frame(const std::function<void()>& draw) {
    ImGui::NewFrame();
    draw();
    ImGui::Render();
    ++frames_;
  }
  // Moves the mouse to the centre of a recorded widget, then presses and releases it in
  // separate frames (ImGui sees a click only that way).
  void click_widget(std::string_view name, const std::function<void()>& draw) {
    const auto& w = shmscope::recorded_widgets();
    auto it = w.find(name);
    REQUIRE_MESSAGE(it != w.end(), "widget not recorded: " << name);
    click_at(ImVec2((it->second.x0 + it->second.x1) / 2, (it->second.y0 + it->second.y1) / 2),
             draw);
  }
  void click_at(ImVec2 p, const std::function<void()>& draw) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = p;
    frame(draw);
    io.MouseDown[0] = true;
    frame(draw);
    io.MouseDown[0] = false;
    frame(draw);
  }
  void type(const std::string& text, const std::function<void()>& draw) {
    for (char c : text) ImGui::GetIO().AddInputCharacter(static_cast<unsigned char>(c));
    frame(draw);
  }
  int frames() const { return frames_; }

 private:
  shmscope::HeadlessImGui imgui_;
  int frames_ = 0;
};

}  // namespace paneltest
