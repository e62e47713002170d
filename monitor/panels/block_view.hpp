// View model of the Block panel: which snapshot is shown (live or pinned), its decoded fields
// with their byte ranges and problems, and the hex-selection inspector. Pure functions.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "panels/panels.hpp"
#include "ui/palette.hpp"

namespace shmscope {

struct FieldRow {
  std::string label;  // e.g. "dataSize"
  std::string field;  // field map name, e.g. "message.data_size"
  std::string value;  // e.g. "1200"
  std::size_t offset = 0;
  std::size_t size = 0;
  UiColour colour = UiColour::Text;
  bool corrupt = false;
  std::string problem;  // why it is corrupt, empty otherwise
};

struct BlockView {
  // Stale: a copy that is no longer refreshed (the session went away, or copies stopped).
  enum class Source { None, Live, Pinned, Stale, Recorded };  // Recorded: shmscope --open
  Source source = Source::None;
  const shmipc::Snapshot* snapshot = nullptr;  // what is shown; null for Source::None
  std::string status;           // one sentence: "No session attached...", "Viewing the past..."
  std::string corrupt_summary;  // empty when the block is sound
  std::vector<FieldRow> fields;
  std::vector<shmipc::FieldProblem> problems;

  // The problem covering byte `offset`, or null.
  const shmipc::FieldProblem* problem_at(std::size_t offset) const;
};

BlockView make_block_view(const PanelInput& in, const UiState& ui);

struct InspectorRow {
  std::string type;           // "u16", "i32", ...
  std::string little_endian;  // value read little-endian
  std::string big_endian;
};

// Reads the first 1, 2, 4, 8 bytes of the selection as unsigned and signed integers.
std::vector<InspectorRow> inspect_bytes(std::span<const std::byte> bytes);
std::string bytes_as_hex(std::span<const std::byte> bytes);      // "53 48 4D"
std::string bytes_as_c_array(std::span<const std::byte> bytes);  // C initialiser, 12 per line
std::string bytes_as_text(std::span<const std::byte> bytes);     // printable, '.' otherwise

}  // namespace shmscope
