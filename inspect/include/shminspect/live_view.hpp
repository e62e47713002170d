// One live view of a segment through a layout: each tick reads, decodes, compares with the
// previous tick, records history, feeds the false-sharing finder and evaluates the watch
// condition. The terminal's --watch and the monitor's views are both this loop.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shminspect/decode.hpp"
#include "shminspect/history.hpp"
#include "shminspect/layout.hpp"
#include "shminspect/layout_facts.hpp"
#include "shminspect/segment_reader.hpp"
#include "shminspect/watch.hpp"

namespace shminspect {

struct LiveViewOptions {
  std::size_t history_capacity = 4096;  // points per field
  DecodeOptions decode;
  int false_sharing_min_samples = 3;
};

struct TickResult {
  SegmentEvent event = SegmentEvent::None;
  std::string message;                // the segment's event, if any
  std::optional<std::string> watch;   // the watch condition fired: what happened
  std::vector<std::string> changed;   // paths of leaf values that changed since the last tick
};

class LiveView {
 public:
  LiveView(Layout layout, SegmentReader reader, LiveViewOptions options = {});

  // One sample. Reads the layout's bytes (a flexible array member: up to the segment's end)
  // plus `extra` ranges (e.g. the part of a hex view on screen).
  TickResult tick(const std::vector<ByteRange>& extra = {});

  // The layout as sized for the current segment, and the last tick's sample and values (their
  // field pointers point into layout(); they stay valid until the next tick).
  const Layout& layout() const { return *current_layout_; }
  const Sample& sample() const { return sample_; }
  const std::vector<DecodedValue>& values() const { return values_; }
  const FieldHistory& history() const { return history_; }
  FieldHistory& history() { return history_; }

  // The static facts plus the false-sharing findings so far.
  std::vector<LayoutFact> facts() const;

  // A condition parsed with WatchCondition::parse, or none.
  void set_watch(std::optional<WatchCondition> condition) { watch_ = std::move(condition); }
  const std::optional<WatchCondition>& watch() const { return watch_; }

  SegmentReader& reader() { return reader_; }

 private:
  Layout base_layout_;
  SegmentReader reader_;
  LiveViewOptions options_;
  std::shared_ptr<const Layout> current_layout_, previous_layout_;
  Sample sample_;
  std::vector<DecodedValue> values_, previous_values_;
  FieldHistory history_;
  FalseSharingFinder sharing_;
  std::optional<WatchCondition> watch_;
};

}  // namespace shminspect
