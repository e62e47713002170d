// What the views of a user's segment show (`shmscope --segment`): the layout, the newest
// sample decoded, when each field and byte last changed, a bounded history of every numeric
// field, the watch condition with the moments it fired, and the layout facts. It is fed one
// sample at a time (by the sampler thread, or by a test), so it needs no segment to be tested.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
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

namespace shmscope::inspect {

// A moment the watch condition fired (the view paused there).
struct WatchMark {
  std::uint64_t time_ns = 0;
  std::uint64_t sample = 0;  // index of the sample that fired it
  std::string message;       // "seq jumped by 3 (7 -> 10)"
};

// A segment event worth a line in the status panel (recreated, resized, vanished...).
struct SegmentNote {
  std::uint64_t time_ns = 0;
  std::string text;
};

class InspectModel {
 public:
  // Fields with a history beyond this many get none, unless selected or watched: memory stays
  // bounded for structs with thousands of members.
  static constexpr std::size_t kMaxHistoryFields = 512;
  static constexpr std::size_t kHistoryPoints = 4096;  // per field: 4 s at 1 kHz
  static constexpr std::size_t kMaxNotes = 64;
  static constexpr std::size_t kMaxMarks = 256;
  static constexpr std::uint64_t kMaxGlowBytes = 1u << 20;  // per-byte change times kept

  explicit InspectModel(shminspect::Layout layout, std::string segment_label = {});

  void add_sample(shminspect::Sample sample);

  // The watch condition; returns "" or what is wrong with it (it is not set then).
  std::string set_watch(const std::string& text);
  void clear_watch();
  void resume();  // leave the pause a watch caused (the view follows the segment again)
  void pause_here();  // the user's own pause
  // Fields kept in history besides all of them (when the layout is small): selected/plotted.
  void keep_history_for(const std::string& path);

  const shminspect::Layout& layout() const { return *layout_; }
  const std::string& segment_label() const { return segment_label_; }
  // What the views show: the newest sample, or the one the view paused at.
  const shminspect::Sample& shown_sample() const { return paused_ ? paused_sample_ : latest_; }
  const std::vector<shminspect::DecodedValue>& shown_values() const {
    return paused_ ? paused_values_ : values_;
  }
  const shminspect::Sample& latest_sample() const { return latest_; }
  const shminspect::DecodedValue* shown_value(const std::string& path) const;

  // Monotonic time of the last change of a field (0: not seen changing).
  std::uint64_t field_changed_at(const std::string& path) const;
  // Monotonic time of the last change of byte `offset` (0: never, or not tracked).
  std::uint64_t byte_changed_at(std::uint64_t offset) const;
  std::uint64_t changes_seen(const std::string& path) const;

  const shminspect::FieldHistory& history() const { return history_; }
  const std::vector<shminspect::LayoutFact>& facts() const { return facts_; }
  std::vector<shminspect::LayoutFact> false_sharing() const { return sharing_.findings(); }
  int false_sharing_samples() const { return sharing_.samples(); }

  const std::optional<shminspect::WatchCondition>& watch() const { return watch_; }
  bool paused() const { return paused_; }
  bool paused_by_watch() const { return paused_ && paused_by_watch_; }
  const std::deque<WatchMark>& marks() const { return marks_; }
  const std::deque<SegmentNote>& notes() const { return notes_; }

  std::uint64_t samples() const { return samples_; }
  std::uint64_t inconsistent_samples() const { return inconsistent_; }
  std::uint64_t first_sample_ns() const { return first_ns_; }
  // Samples per second over the last second (the sampler slows down on a quiet segment).
  double sample_rate() const { return rate_; }
  std::uint64_t last_change_ns() const { return last_change_ns_; }

 private:
  void note(std::uint64_t t, std::string text);
  void resize_for(std::uint64_t segment_size);
  void track_changes(const shminspect::Sample& before, const shminspect::Sample& now);

  std::shared_ptr<const shminspect::Layout> layout_;  // values point into it
  shminspect::Layout declared_;                       // before a flexible array is sized
  std::optional<std::uint64_t> sized_for_;            // segment size layout_ was sized for
  std::string segment_label_;
  std::vector<shminspect::LayoutFact> facts_;

  shminspect::Sample latest_;
  std::vector<shminspect::DecodedValue> values_;
  bool paused_ = false;
  bool paused_by_watch_ = false;
  shminspect::Sample paused_sample_;
  std::vector<shminspect::DecodedValue> paused_values_;
  std::shared_ptr<const shminspect::Layout> paused_layout_;  // keeps paused_values_ valid

  std::map<std::string, std::uint64_t> changed_at_;
  std::map<std::string, std::uint64_t> change_count_;
  std::vector<std::uint64_t> byte_changed_at_;  // index = segment offset - glow_base_
  std::uint64_t glow_base_ = 0;

  shminspect::FieldHistory history_{kHistoryPoints};
  std::vector<std::string> history_extra_;
  shminspect::FalseSharingFinder sharing_;

  std::optional<shminspect::WatchCondition> watch_;
  std::deque<WatchMark> marks_;
  std::deque<SegmentNote> notes_;

  std::uint64_t samples_ = 0;
  std::uint64_t inconsistent_ = 0;
  std::uint64_t first_ns_ = 0;
  std::uint64_t last_change_ns_ = 0;
  std::deque<std::uint64_t> recent_times_;  // for sample_rate()
  double rate_ = 0;
};

// The innermost leaf field that holds byte `offset` (its path), "" if none.
std::string field_at_byte(const std::vector<shminspect::DecodedValue>& values,
                          std::uint64_t offset);

// "a.b[2].c" -> {"a", "a.b", "a.b[2]"}: the containers whose rows show a change inside.
std::vector<std::string> ancestor_paths(const std::string& path);

}  // namespace shmscope::inspect
