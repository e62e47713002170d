// The Block panel's view model and the block field map, on fabricated blocks.
#include <doctest/doctest.h>

#include "model/block_fields.hpp"
#include "panel_fixtures.hpp"
#include "panels/block_view.hpp"

using namespace paneltest;
using namespace shmscope;

namespace {

std::vector<std::byte> bytes(std::initializer_list<unsigned> v) {
  std::vector<std::byte> out;
  for (unsigned x : v) out.push_back(std::byte(x));
  return out;
}

}  // namespace

TEST_CASE("the field map names the bytes at the offsets docs/PROTOCOL.md gives") {
  struct Expect {
    std::size_t offset;
    const char* name;
    std::size_t field_offset, size;
  };
  for (const Expect& e :
       {Expect{0, "header.magic", 0, 8}, Expect{81, "message.data_size", 80, 4},
        Expect{84, "message.checksum", 84, 4}, Expect{133, "message.data", 128, 1000},
        Expect{1144, "message.version_tail", 1144, 8}, Expect{1216, "mutex.owner_pid", 1216, 4},
        Expect{1344, "events[1].signalled", 1344, 4}, Expect{2628, "participants[0].pid", 2628, 4},
        Expect{2692, "participants[1].pid", 2692, 4}, Expect{3136, "control.step_mode", 3136, 4},
        Expect{3200, "journal.next", 3200, 8},
        Expect{3264 + 64 * 3 + 25, "journal.entries[3].kind", 3264 + 64 * 3 + 24, 2}}) {
    CAPTURE(e.offset);
    auto f = field_at(e.offset);
    REQUIRE(f.has_value());
    CHECK(f->name == e.name);
    CHECK(f->offset == e.field_offset);
    CHECK(f->size == e.size);
  }
  CHECK_FALSE(field_at(sizeof(shmipc::Block)).has_value());
  // Every fixed field lies inside the block and none overlaps the next.
  const auto& t = fixed_block_fields();
  for (std::size_t i = 1; i < t.size(); ++i) {
    CAPTURE(t[i].name);
    CHECK(t[i - 1].offset + t[i - 1].size <= t[i].offset);
  }
}

TEST_CASE("a dataSize over capacity is shown as corrupt in place, with its offset") {
  FakeBlock b = two_peers();
  b.put32(80, 1200);
  SessionHistory h;
  b.ingest_into(h, kT0 + kMs * 1000);
  ActingState acting;
  acting.attached = true;
  UiState ui;
  const BlockView v = make_block_view({h, acting, kT0 + kMs * 1000}, ui);
  REQUIRE(v.source == BlockView::Source::Live);
  CHECK(v.corrupt_summary.find("CORRUPT") != std::string::npos);
  CHECK(v.corrupt_summary.find("message.data_size") != std::string::npos);
  const FieldRow* row = nullptr;
  for (const FieldRow& r : v.fields) {
    if (r.field == "message.data_size") row = &r;
  }
  REQUIRE(row != nullptr);
  CHECK(row->corrupt);
  CHECK(row->offset == 80);
  CHECK(row->size == 4);
  CHECK(row->value.find("1200") != std::string::npos);
  REQUIRE(v.problem_at(81) != nullptr);
  CHECK(v.problem_at(81)->field == "message.data_size");
  CHECK(v.problem_at(128) == nullptr);
}

TEST_CASE("a sound block shows its decoded fields with a good checksum and no problem") {
  SessionHistory h;
  two_peers().ingest_into(h, kT0 + kMs * 1000);
  ActingState acting;
  acting.attached = true;
  UiState ui;
  const BlockView v = make_block_view({h, acting, kT0 + kMs * 1000}, ui);
  CHECK(v.corrupt_summary.empty());
  std::map<std::string, std::string> value;
  for (const FieldRow& r : v.fields) {
    CHECK_FALSE(r.corrupt);
    value[r.label] = r.value;
  }
  CHECK(value["magic"] == "\"SHMSCOPE\" (good)");
  CHECK(value["processID"].find("4241") != std::string::npos);
  CHECK(value["childAck"].find("1") == 0);
  CHECK(value["dataSize"] == "5 bytes");
  CHECK(value["checksum"].find("good") != std::string::npos);
  CHECK(value["data"] == "\"hello\"");
}

TEST_CASE("valid UTF-8 in the message is shown as text and invalid bytes as dots") {
  FakeBlock b = two_peers();
  b.message("\xc3\xbcmlaut \xe2\x9c\x93", 2);  // "ümlaut ✓"
  SessionHistory h;
  b.ingest_into(h, kT0 + kMs * 1000);
  ActingState acting;
  acting.attached = true;
  UiState ui;
  auto data_of = [&](const BlockView& v) {
    for (const FieldRow& r : v.fields) {
      if (r.label == "data") return r.value;
    }
    return std::string("(no data row)");
  };
  CHECK(data_of(make_block_view({h, acting, kT0 + kMs * 1000}, ui)) == "\"\xc3\xbcmlaut \xe2\x9c\x93\"");
  // A truncated sequence, a stray continuation byte and a control character are not text.
  FakeBlock bad = two_peers();
  bad.message("a\xe2\x9c" "b\x80" "c\x01", 3);
  SessionHistory h2;
  bad.ingest_into(h2, kT0 + kMs * 1000);
  CHECK(data_of(make_block_view({h2, acting, kT0 + kMs * 1000}, ui)) == "\"a..b.c.\"");
}

TEST_CASE("with no session the block view says so in words") {
  SessionHistory h;
  ActingState acting;
  UiState ui;
  const BlockView v = make_block_view({h, acting, kT0}, ui);
  CHECK(v.source == BlockView::Source::None);
  CHECK(v.status.find("No session attached") != std::string::npos);
}

TEST_CASE("bytes that changed between two snapshots carry the time of the change") {
  SessionHistory h;
  FakeBlock b = two_peers();
  b.ingest_into(h, kT0 + 100 * kMs);
  b.message("jello", 2);
  b.ingest_into(h, kT0 + 200 * kMs);
  const auto& changed = h.byte_changed_ns();
  REQUIRE(changed.size() == sizeof(shmipc::Block));
  CHECK(changed[128] == kT0 + 200 * kMs);  // 'h' -> 'j'
  CHECK(changed[129] == 0);                // 'e' stayed
  CHECK(changed[88] == kT0 + 200 * kMs);   // sequence 1 -> 2
  CHECK(changed[0] == 0);                  // magic never changes
}

TEST_CASE("a pinned journal entry shows the block as it was right after it") {
  SessionHistory h;
  FakeBlock b = two_peers();
  b.journal(shmipc::JournalKind::MessageWritten, shmipc::Role::Child, kChildPid, kT0 + 50 * kMs, 5,
            1, "hello");
  b.ingest_into(h, kT0 + 100 * kMs);
  b.message("second", 2);
  b.journal(shmipc::JournalKind::MessageWritten, shmipc::Role::Child, kChildPid, kT0 + 150 * kMs, 6,
            2, "second");
  b.ingest_into(h, kT0 + 200 * kMs);
  REQUIRE(h.snapshot_after(0) == &h.snapshots()[0]);
  REQUIRE(h.snapshot_after(1) == &h.snapshots()[1]);
  CHECK(h.snapshot_after(2) == nullptr);

  ActingState acting;
  acting.attached = true;
  UiState ui;
  ui.pinned_journal_seq = 0;
  const BlockView v = make_block_view({h, acting, kT0 + 300 * kMs}, ui);
  CHECK(v.source == BlockView::Source::Pinned);
  CHECK(v.status.find("Viewing the past") != std::string::npos);
  CHECK(v.snapshot->message.message_sequence == 1);
}

TEST_CASE("the inspector reads a selection in both byte orders and as text") {
  const auto sel = bytes({0x01, 0x02, 0xFF, 0xFF});
  const auto rows = inspect_bytes(sel);
  std::map<std::string, InspectorRow> by;
  for (const auto& r : rows) by[r.type] = r;
  CHECK(by["u8"].little_endian == "1");
  CHECK(by["u16"].little_endian == "513");
  CHECK(by["u16"].big_endian == "258");
  CHECK(by["u32"].little_endian == "4294902273");
  CHECK(by["i32"].little_endian == "-65023");
  CHECK(by.count("u64") == 0);  // four bytes cannot be read as eight
  const auto neg = bytes({0xFF});
  CHECK(inspect_bytes(neg)[1].little_endian == "-1");
  CHECK(bytes_as_hex(sel) == "01 02 FF FF");
  CHECK(bytes_as_c_array(sel) ==
        "const unsigned char bytes[4] = {\n  0x01, 0x02, 0xFF, 0xFF\n};\n");
  CHECK(bytes_as_text(bytes({'h', 'i', 0})) == "hi.");
}

TEST_CASE("the block panel renders live, pinned and corrupt blocks without an ImGui assertion") {
  Gui gui;
  SessionHistory h;
  FakeBlock b = two_peers();
  b.journal(shmipc::JournalKind::MessageWritten, shmipc::Role::Child, kChildPid, kT0, 5, 1,
            "hello");
  b.ingest_into(h, kT0 + 10 * kMs);
  b.put32(80, 5000);
  b.ingest_into(h, kT0 + 20 * kMs);
  ActingState acting;
  acting.attached = true;
  UiState ui;
  PanelOutput out;
  auto draw = [&] {
    ui.begin_frame();
    draw_block_panel({h, acting, kT0 + 30 * kMs}, ui, out);
  };
  for (int i = 0; i < 3; ++i) gui.frame(draw);
  ui.pinned_journal_seq = 0;
  ui.selection_begin = 128;
  ui.selection_end = 136;
  ui.hex_scroll_to = 3264;
  for (int i = 0; i < 3; ++i) gui.frame(draw);
  CHECK(out.actions.empty());  // looking at the block never acts on it
}

TEST_CASE("after the session is gone the block view says its copy is not live, never 'Live block'") {
  SessionHistory h;
  two_peers().ingest_into(h, kT0 + kMs * 1000);
  ActingState acting;
  acting.attached = true;
  UiState ui;
  BlockView v = make_block_view({h, acting, kT0 + kMs * 1001}, ui);
  CHECK(v.source == BlockView::Source::Live);
  CHECK(v.status.find("Live block") == 0);
  acting.attached = false;  // the segment was removed: the link dropped its observer
  v = make_block_view({h, acting, kT0 + kMs * 10000}, ui);
  CHECK(v.source == BlockView::Source::Stale);
  CHECK(v.status.find("Not live: the session is gone") == 0);
  CHECK(v.status.find("9.0") != std::string::npos);  // the copy's age
  acting.attached = true;  // attached, but no copy for seconds (a stuck link)
  v = make_block_view({h, acting, kT0 + kMs * 6000}, ui);
  CHECK(v.source == BlockView::Source::Stale);
  CHECK(v.status.find("Not live: no new copy") == 0);
}

TEST_CASE("the kept block copies are bounded in bytes, not only in number: a long session does not grow the monitor") {
  SessionHistory h(100000, 1000);  // a count bound that alone would allow gigabytes
  const FakeBlock b = two_peers();
  for (int i = 0; i < 2000; ++i) b.ingest_into(h, kT0 + static_cast<std::uint64_t>(i) * kMs);
  CHECK(h.snapshot_bytes() <= SessionHistory::kSnapshotBudgetBytes);
  CHECK(h.snapshots().size() >= 2);
  CHECK(h.latest()->taken_ns == kT0 + 1999 * kMs);  // the newest copy is always kept
}
