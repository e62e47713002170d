// The views of a user's segment (`shmscope --segment`). Each is a plain view model computed
// from (InspectModel, InspectUi) — tested headless — and a draw function that shows it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "inspect/inspect_model.hpp"
#include "inspect/inspect_ui.hpp"

namespace shmscope::inspect {

// How long a change glows (the same fade as the protocol block's bytes).
inline constexpr std::uint64_t kGlowNs = 1'500'000'000;
float glow_alpha(std::uint64_t changed_at_ns, std::uint64_t now_ns);

// [SECTION] Field tree
struct FieldRow {
  std::string path;
  std::string name;  // the last component: "seq", "[3]"
  std::string type;  // "std::uint64_t", with " (atomic)" for std::atomic<T>
  std::string value;  // "" for containers
  std::string offset;  // "0x10 (16)"
  std::uint64_t size = 0;
  int depth = 0;
  bool container = false;
  bool available = true;
  bool in_flux = false;
  bool atomic = false;
  float glow = 0;  // 0..1
  std::uint64_t changes = 0;
};
std::vector<FieldRow> make_field_rows(const InspectModel& model, std::uint64_t now_ns);
void draw_field_tree(const InspectModel& model, InspectUi& ui, InspectActions& out);

// [SECTION] Hex view
struct HexByteStyle {
  bool sampled = false;
  bool highlighted = false;  // part of the field lit up in every view
  bool selected = false;
  bool in_flux = false;
  float glow = 0;
};
HexByteStyle hex_byte_style(const InspectModel& model, const InspectUi& ui, std::uint64_t offset);
void draw_hex_view(const InspectModel& model, InspectUi& ui, InspectActions& out);

// [SECTION] Field inspector
struct FieldDetails {
  bool found = false;
  std::string path;
  std::vector<std::pair<std::string, std::string>> lines;  // label, value
  std::vector<float> plot;  // the field's history, oldest first
  std::string plot_caption;  // "412 points over 4.1 s, min 0, max 7"
};
FieldDetails make_field_details(const InspectModel& model, const std::string& path,
                                std::uint64_t now_ns);
void draw_field_inspector(const InspectModel& model, InspectUi& ui, InspectActions& out);

// [SECTION] Watch
struct WatchStatus {
  std::string state;  // "no watch", "watching: ...", "PAUSED by the watch: ...", "paused"
  bool paused = false;
  std::vector<std::string> marks;  // "+12.345 s  seq jumped by 3 (7 -> 10)", newest last
};
WatchStatus make_watch_status(const InspectModel& model);
void draw_watch_panel(const InspectModel& model, InspectUi& ui, InspectActions& out);

// [SECTION] Layout facts
struct FactsView {
  std::string summary;  // "sizeof 200 bytes, 4 cache lines, 2 holes (7 bytes), 4 bytes padding"
  std::vector<std::string> facts;
  std::vector<std::vector<std::string>> fact_fields;
  std::vector<std::string> sharing;  // false-sharing findings from the samples so far
  std::string sharing_caption;
};
FactsView make_facts_view(const InspectModel& model);
void draw_layout_facts(const InspectModel& model, InspectUi& ui, InspectActions& out);

// [SECTION] Segment status
struct StatusLine {
  std::string text;
  bool warning = false;
};
std::vector<StatusLine> make_segment_status(const InspectModel& model, std::uint64_t now_ns);
void draw_segment_status(const InspectModel& model, InspectUi& ui, InspectActions& out);

// All of them, tiled over the main viewport from its size (recomputed every frame, so a
// resize or a small window never leaves one panel over another).
void draw_inspect_panels(const InspectModel& model, InspectUi& ui, InspectActions& out);

// "key value" lines for GUI tests (`--inspect-dump FILE`): the state and every leaf's value.
std::string inspect_dump(const InspectModel& model, const InspectUi& ui);

}  // namespace shmscope::inspect
