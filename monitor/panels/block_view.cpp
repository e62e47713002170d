#include "panels/block_view.hpp"

#include <cinttypes>
#include <cstdio>

#include "model/block_fields.hpp"
#include "panels/view_text.hpp"
#include "shmipc/journal.hpp"

namespace shmscope {

namespace {

// The link copies the block every frame (at least 5 times a second when idle).
constexpr std::uint64_t kStaleAfterNs = 3'000'000'000;

std::string hex_u64(std::uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%" PRIX64, v);
  return buf;
}

std::string flags_text(std::uint32_t f) {
  if (f == 0) return "0 (none)";
  std::string s = std::to_string(f) + " (";
  bool first = true;
  auto add = [&](const char* w) {
    if (!first) s += ", ";
    s += w;
    first = false;
  };
  if (f & shmipc::kMessageFlagInjected) add("injected");
  if (f & shmipc::kMessageFlagRecoveredTorn) add("torn write recovered");
  if (f & ~(shmipc::kMessageFlagInjected | shmipc::kMessageFlagRecoveredTorn)) add("unknown bits");
  return s + ")";
}

void add_row(BlockView& v, const char* label, const char* field, std::string value,
             UiColour colour = UiColour::Text) {
  FieldRow r;
  r.label = label;
  r.field = field;
  r.value = std::move(value);
  r.colour = colour;
  if (auto f = field_named(field)) {
    r.offset = f->offset;
    r.size = f->size;
  }
  v.fields.push_back(std::move(r));
}

}  // namespace

const shmipc::FieldProblem* BlockView::problem_at(std::size_t offset) const {
  for (const shmipc::FieldProblem& p : problems) {
    if (offset >= p.offset && offset < p.offset + std::max<std::size_t>(p.size, 1)) return &p;
  }
  return nullptr;
}

BlockView make_block_view(const PanelInput& in, const UiState& ui) {
  BlockView v;
  const shmipc::Snapshot* snap = in.history.latest();
  if (ui.pinned_journal_seq >= 0) {
    const auto seq = static_cast<std::uint64_t>(ui.pinned_journal_seq);
    if (const shmipc::Snapshot* past = in.history.snapshot_after(seq)) {
      snap = past;
      v.source = BlockView::Source::Pinned;
      v.status = "Viewing the past: the block as it was right after journal entry #" +
                 std::to_string(seq) + " (" + age_text(in.now_ns, past->taken_ns) + ").";
    } else {
      v.status = "The block right after journal entry #" + std::to_string(seq) +
                 " is no longer kept; showing the live block.";
    }
  }
  if (snap == nullptr) {
    v.source = BlockView::Source::None;
    v.status = in.acting.attached ? "Attached, waiting for the first snapshot of the block."
                                  : "No session attached: attach to one in the Act panel.";
    return v;
  }
  if (v.source == BlockView::Source::None) {
    v.source = BlockView::Source::Live;
    if (v.status.empty() && !in.acting.attached) {
      // The session went away (removed, or its last process left): what is shown is history.
      v.source = BlockView::Source::Stale;
      v.status = "Not live: the session is gone. The last copy of the block, taken " +
                 age_text(in.now_ns, snap->taken_ns) + ".";
    } else if (v.status.empty() && !in.acting.playback_note.empty()) {
      // A recording: the block as it was at the timeline's instant (now_ns is that instant).
      v.source = BlockView::Source::Recorded;
      v.status = "Recorded block: as it was at the timeline's instant (scrub below).";
    } else if (v.status.empty() && in.now_ns > snap->taken_ns + kStaleAfterNs) {
      v.source = BlockView::Source::Stale;
      v.status = "Not live: no new copy of the block for " + age_text(in.now_ns, snap->taken_ns) + ".";
    } else if (v.status.empty()) {
      v.status = "Live block, copied " + age_text(in.now_ns, snap->taken_ns) + ".";
    }
  }
  v.snapshot = snap;
  v.problems = snap->problems;
  if (!v.problems.empty()) {
    const shmipc::FieldProblem& p = v.problems.front();
    v.corrupt_summary = "The block is CORRUPT: " + p.field + " " + p.problem;
    if (v.problems.size() > 1) {
      v.corrupt_summary += " (and " + std::to_string(v.problems.size() - 1) + " more)";
    }
    v.corrupt_summary += ".";
  }

  const auto& h = snap->header;
  const auto& m = snap->message;
  const bool magic_ok = h.magic == shmipc::kBlockMagic;
  add_row(v, "magic", "header.magic",
          magic_ok ? std::string("\"SHMSCOPE\" (good)") : hex_u64(h.magic) + " (bad)",
          magic_ok ? UiColour::Good : UiColour::Corrupt);
  const bool version_ok = h.layout_version == shmipc::kLayoutVersion;
  add_row(v, "version", "header.layout_version", std::to_string(h.layout_version),
          version_ok ? UiColour::Text : UiColour::Corrupt);
  add_row(v, "block size", "header.block_size", std::to_string(h.block_size) + " bytes");
  add_row(v, "processID", "message.process_id", std::to_string(m.process_id) + " (parent)");
  add_row(v, "childAck", "message.child_ack",
          m.child_ack ? "1 (child acknowledged)" : std::to_string(m.child_ack_raw),
          m.child_ack ? UiColour::Signalled : UiColour::Text);
  add_row(v, "dataSize", "message.data_size",
          m.data_size_valid ? std::to_string(m.data_size) + " bytes"
                            : std::to_string(m.data_size_raw) + " (over 1000)",
          m.data_size_valid ? UiColour::Text : UiColour::Corrupt);
  add_row(v, "sequence", "message.message_sequence", std::to_string(m.message_sequence));
  add_row(v, "read sequence", "message.message_read_sequence",
          std::to_string(m.message_read_sequence));
  char crc[48];
  std::snprintf(crc, sizeof crc, "0x%08X %s", m.checksum,
                m.message_sequence == 0 ? "(no message yet)" : (m.checksum_ok ? "good" : "BAD"));
  add_row(v, "checksum", "message.checksum", crc,
          m.message_sequence == 0 ? UiColour::Muted
                                  : (m.checksum_ok ? UiColour::Good : UiColour::Corrupt));
  add_row(v, "flags", "message.message_flags", flags_text(m.message_flags),
          (m.message_flags & shmipc::kMessageFlagInjected) ? UiColour::Injected : UiColour::Text);
  add_row(v, "versions", "message.version_head",
          std::to_string(m.version_head) + " / " + std::to_string(m.version_tail) +
              (m.consistent ? " consistent" : " TORN or being written"),
          m.consistent ? UiColour::Good : UiColour::Corrupt);
  add_row(v, "writer", "message.writer_pid",
          m.writer_pid ? "pid " + std::to_string(m.writer_pid) : std::string("nobody yet"));
  add_row(v, "command", "message.command",
          std::string(shmipc::command_name(m.command)) + " #" + std::to_string(m.command_sequence));
  add_row(v, "data", "message.data",
          "\"" + printable_preview(std::string_view(m.data.data(), m.data_size), 40) + "\"");

  for (FieldRow& r : v.fields) {
    for (const shmipc::FieldProblem& p : v.problems) {
      const std::size_t pend = p.offset + std::max<std::size_t>(p.size, 1);
      if (r.size != 0 && p.offset < r.offset + r.size && r.offset < pend) {
        r.corrupt = true;
        r.colour = UiColour::Corrupt;
        r.problem = p.problem;
      }
    }
  }
  return v;
}

std::vector<InspectorRow> inspect_bytes(std::span<const std::byte> bytes) {
  std::vector<InspectorRow> rows;
  for (std::size_t width : {1u, 2u, 4u, 8u}) {
    if (bytes.size() < width) break;
    std::uint64_t le = 0, be = 0;
    for (std::size_t i = 0; i < width; ++i) {
      le |= static_cast<std::uint64_t>(bytes[i]) << (8 * i);
      be = (be << 8) | static_cast<std::uint64_t>(bytes[i]);
    }
    const int bits = static_cast<int>(width * 8);
    auto as_signed = [&](std::uint64_t u) -> std::int64_t {
      if (bits == 64) return static_cast<std::int64_t>(u);
      const std::uint64_t sign = 1ULL << (bits - 1);
      return static_cast<std::int64_t>((u ^ sign)) - static_cast<std::int64_t>(sign);
    };
    const std::string width_text = std::to_string(bits);
    rows.push_back({std::string("u").append(width_text), std::to_string(le), std::to_string(be)});
    rows.push_back({std::string("i").append(width_text), std::to_string(as_signed(le)),
                    std::to_string(as_signed(be))});
  }
  return rows;
}

std::string bytes_as_hex(std::span<const std::byte> bytes) {
  std::string s;
  char buf[4];
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%02X", static_cast<unsigned>(bytes[i]));
    if (i) s += ' ';
    s += buf;
  }
  return s;
}

std::string bytes_as_c_array(std::span<const std::byte> bytes) {
  std::string s = "const unsigned char bytes[" + std::to_string(bytes.size()) + "] = {";
  char buf[8];
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i % 12 == 0) s += "\n  ";
    std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned>(bytes[i]));
    s += buf;
    if (i + 1 < bytes.size()) s += i % 12 == 11 ? "," : ", ";
  }
  return s + "\n};\n";
}

std::string bytes_as_text(std::span<const std::byte> bytes) {
  std::string s;
  s.reserve(bytes.size());
  for (std::byte b : bytes) {
    const auto u = static_cast<unsigned char>(b);
    s += (u >= 0x20 && u < 0x7F) ? static_cast<char>(u) : '.';
  }
  return s;
}

}  // namespace shmscope
