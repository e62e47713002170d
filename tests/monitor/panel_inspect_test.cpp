// The views of a user's segment (shmscope --segment) on samples made byte by byte: a small
// struct described by a layout file, fed to the model as the sampler would feed it.
#include <doctest/doctest.h>
#include <imgui.h>

#include <cstring>

#include "inspect/inspect_views.hpp"
#include "panel_fixtures.hpp"
#include "shminspect/layout_file.hpp"
#include "ui/widget_registry.hpp"

using namespace shmscope::inspect;

namespace {

constexpr std::uint64_t kMs = 1'000'000;
constexpr std::uint64_t kT0 = 5'000'000 * kMs;

// seq u8 @0, state u4 @8 (enum), name char[8] @12, level s2 @20; 2 bytes of trailing padding.
const char* kLayout = R"(meta: {id: sensor_block, endian: le, -size: 24}
seq:
  - {id: seq, type: u8, offset: 0}
  - {id: state, type: u4, offset: 8, enum: state}
  - {id: name, type: str, size: 8, offset: 12, encoding: UTF-8}
  - {id: level, type: s2, offset: 20}
enums: {state: {0: idle, 1: running, 2: ERROR}}
)";

struct Block {
  std::uint64_t seq = 0;
  std::uint32_t state = 1;
  std::string name = "alpha";
  std::int16_t level = -3;
};

shminspect::Sample sample_of(const Block& b, std::uint64_t t, std::uint64_t segment_size = 24) {
  shminspect::Sample s;
  s.time_ns = t;
  s.present = true;
  s.segment_size = segment_size;
  s.inode = 42;
  s.bytes.assign(std::min<std::uint64_t>(24, segment_size), 0);
  std::vector<std::uint8_t> all(24, 0);
  std::memcpy(all.data(), &b.seq, 8);
  std::memcpy(all.data() + 8, &b.state, 4);
  std::memcpy(all.data() + 12, b.name.data(), std::min<std::size_t>(8, b.name.size()));
  std::memcpy(all.data() + 20, &b.level, 2);
  std::memcpy(s.bytes.data(), all.data(), s.bytes.size());
  s.sampled = {{0, s.bytes.size()}};
  s.in_flux.assign(s.bytes.size(), 0);
  return s;
}

InspectModel make_model() {
  return InspectModel(shminspect::parse_layout_file(kLayout, "sensor.ksy"), "/dev/shm/sensor");
}

const FieldRow* row(const std::vector<FieldRow>& rows, const std::string& path) {
  for (const auto& r : rows) {
    if (r.path == path) return &r;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("the inspect tree shows every field decoded and glows the one that changed") {
  InspectModel model = make_model();
  Block b;
  b.seq = 1;
  model.add_sample(sample_of(b, kT0));
  b.seq = 2;
  model.add_sample(sample_of(b, kT0 + kMs));
  const auto rows = make_field_rows(model, kT0 + 2 * kMs);
  REQUIRE(row(rows, "seq") != nullptr);
  CHECK(row(rows, "seq")->value == "2");
  CHECK(row(rows, "seq")->glow > 0.9f);
  CHECK(row(rows, "seq")->changes == 1);
  REQUIRE(row(rows, "state") != nullptr);
  CHECK(row(rows, "state")->value.find("running") != std::string::npos);
  CHECK(row(rows, "state")->glow == 0.0f);
  CHECK(row(rows, "name")->value == "\"alpha\"");
  CHECK(row(rows, "level")->value == "-3");
  CHECK(row(rows, "level")->offset == "0x14 (20)");
  // The glow fades: long after the change, nothing glows.
  CHECK(make_field_rows(model, kT0 + kMs + kGlowNs)[0].glow == 0.0f);
}

TEST_CASE("the field lit up in one view lights its bytes in the hex view and a byte names its field") {
  InspectModel model = make_model();
  model.add_sample(sample_of(Block{}, kT0));
  InspectUi ui;
  ui.highlight = "state";
  CHECK_FALSE(hex_byte_style(model, ui, 7).highlighted);
  CHECK(hex_byte_style(model, ui, 8).highlighted);
  CHECK(hex_byte_style(model, ui, 11).highlighted);
  CHECK_FALSE(hex_byte_style(model, ui, 12).highlighted);
  CHECK(field_at_byte(model.shown_values(), 13) == "name");
  CHECK(field_at_byte(model.shown_values(), 22) == "");  // trailing padding belongs to nobody
}

TEST_CASE("a changed byte glows in the hex view and a byte caught mid-write is in flux, not changed") {
  InspectModel model = make_model();
  Block b;
  model.add_sample(sample_of(b, kT0));
  b.level = 7;
  b.seq = 9;
  auto s = sample_of(b, kT0 + kMs);
  s.in_flux[0] = 1;  // seq's low byte differed between the two reads of this sample
  s.consistent = false;
  model.add_sample(std::move(s));
  InspectUi ui;
  ui.now_ns = kT0 + 2 * kMs;
  CHECK(hex_byte_style(model, ui, 20).glow > 0.9f);
  CHECK(hex_byte_style(model, ui, 0).in_flux);
  CHECK(hex_byte_style(model, ui, 0).glow == 0.0f);
  CHECK(model.inconsistent_samples() == 1);
}

TEST_CASE("a watch condition pauses the view at the sample that fired it and marks the moment") {
  InspectModel model = make_model();
  Block b;
  b.seq = 1;
  model.add_sample(sample_of(b, kT0));
  REQUIRE(model.set_watch("seq jumps by more than 1") == "");
  b.seq = 2;
  model.add_sample(sample_of(b, kT0 + kMs));
  CHECK_FALSE(model.paused());
  b.seq = 10;
  model.add_sample(sample_of(b, kT0 + 2 * kMs));
  REQUIRE(model.paused_by_watch());
  REQUIRE(model.marks().size() == 1);
  CHECK(model.marks().back().message.find("seq") != std::string::npos);
  CHECK(make_watch_status(model).state.find("PAUSED by the watch") != std::string::npos);
  // The segment keeps changing; the paused view keeps the sample that fired.
  b.seq = 11;
  model.add_sample(sample_of(b, kT0 + 3 * kMs));
  CHECK(model.shown_value("seq")->text == "10");
  CHECK(model.latest_sample().bytes[0] == 11);
  // Its history goes on while paused, so the plot has no gap.
  CHECK(model.history().points("seq").size() == 4);
  model.resume();
  CHECK(model.shown_value("seq")->text == "11");
}

TEST_CASE("a watch that names no field or does not parse says so and is not set") {
  InspectModel model = make_model();
  model.add_sample(sample_of(Block{}, kT0));
  const std::string unknown = model.set_watch("sequ > 3");
  CHECK(unknown.find("seq") != std::string::npos);  // the close match
  CHECK_FALSE(model.watch().has_value());
  CHECK_FALSE(model.set_watch("seq frobnicates").empty());
  CHECK_FALSE(model.watch().has_value());
}

TEST_CASE("the segment status warns when the segment is smaller than the type and when it vanishes") {
  InspectModel model = make_model();
  model.add_sample(sample_of(Block{}, kT0, 16));
  auto lines = make_segment_status(model, kT0 + kMs);
  bool small = false;
  for (const auto& l : lines) small = small || (l.warning && l.text.find("smaller than the type") != std::string::npos);
  CHECK(small);
  // Fields past the segment's end are not read: never decoded from bytes that are not there.
  CHECK(model.shown_value("level")->available == false);

  shminspect::Sample gone;
  gone.time_ns = kT0 + 2 * kMs;
  gone.event = shminspect::SegmentEvent::Vanished;
  gone.message = "/dev/shm/sensor vanished (removed while viewed)";
  model.add_sample(gone);
  lines = make_segment_status(model, kT0 + 3 * kMs);
  bool said_gone = false, noted = false;
  for (const auto& l : lines) {
    said_gone = said_gone || l.text.find("the segment is gone") != std::string::npos;
    noted = noted || l.text.find("vanished") != std::string::npos;
  }
  CHECK(said_gone);
  CHECK(noted);
  CHECK(model.shown_values().empty());
}

TEST_CASE("the layout facts give the size, cache lines and trailing padding") {
  InspectModel model = make_model();
  const FactsView v = make_facts_view(model);
  CHECK(v.summary.find("sizeof 24 bytes") != std::string::npos);
  CHECK(v.summary.find("1 cache lines") != std::string::npos);
  CHECK(v.summary.find("2 bytes of padding") != std::string::npos);
}

TEST_CASE("the field inspector gives the value in several forms and the history to plot") {
  InspectModel model = make_model();
  Block b;
  for (int i = 0; i < 5; ++i) {
    b.state = static_cast<std::uint32_t>(i % 3);
    model.add_sample(sample_of(b, kT0 + static_cast<std::uint64_t>(i) * kMs));
  }
  const FieldDetails d = make_field_details(model, "state", kT0 + 5 * kMs);
  REQUIRE(d.found);
  auto line = [&](const std::string& label) {
    for (const auto& [l, v] : d.lines) {
      if (l == label) return v;
    }
    return std::string("(none)");
  };
  CHECK(line("enumerator") == "running");  // the last sample: 4 % 3
  CHECK(line("hex") == "0x1");
  CHECK(line("enumerators").find("ERROR = 2") != std::string::npos);
  CHECK(line("place").find("offset 8") != std::string::npos);
  CHECK(d.plot.size() == 5);
  CHECK(d.plot_caption.find("5 points") != std::string::npos);
}

TEST_CASE("hovering a tree row lights that field and hovering a byte lights its field, in a real frame") {
  paneltest::Gui gui;
  InspectModel model = make_model();
  model.add_sample(sample_of(Block{}, kT0));
  InspectUi ui;
  InspectActions out;
  auto draw = [&] {
    ui.begin_frame();
    ui.now_ns = kT0 + kMs;
    out = {};
    draw_inspect_panels(model, ui, out);
  };
  gui.frame(draw);
  gui.frame(draw);
  const auto& widgets = shmscope::recorded_widgets();
  REQUIRE(widgets.count("inspect_row:state") == 1);
  const auto r = widgets.find("inspect_row:state")->second;
  ImGui::GetIO().MousePos = ImVec2((r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2);
  gui.frame(draw);
  gui.frame(draw);
  CHECK(ui.highlight == "state");

  // A click selects the row: the inspector follows, the field's history is kept.
  gui.click_widget("inspect_row:name", draw);
  CHECK(ui.selected_path == "name");

  REQUIRE(widgets.count("inspect_hex_row0") == 1);
  const auto h = widgets.find("inspect_hex_row0")->second;
  const float cell = ImGui::CalcTextSize("00").x + 6.0f;
  const float offset_w = ImGui::CalcTextSize("00000000").x + 12.0f;
  // Byte 20, the low byte of `level`: row 1, column 4.
  const float line = ImGui::GetTextLineHeightWithSpacing();
  ImGui::GetIO().MousePos = ImVec2(h.x0 + offset_w + 4 * cell + cell / 2 - 2, h.y0 + line + line / 2);
  gui.frame(draw);
  gui.frame(draw);
  CHECK(ui.highlight == "level");
}
