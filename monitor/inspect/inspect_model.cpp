#include "inspect/inspect_model.hpp"

#include <algorithm>
#include <utility>

#include "shminspect/error.hpp"
#include "shminspect/layout_file.hpp"

namespace shmscope::inspect {
namespace {

constexpr std::uint64_t kSecondNs = 1'000'000'000;

std::size_t leaf_count(const shminspect::Layout& layout) {
  std::size_t n = 0;
  shminspect::for_each_field(layout.root, "", 0,
                             [&](const shminspect::Field& f, const std::string&, int) {
                               if (f.is_leaf()) ++n;
                             });
  return n;
}

}  // namespace

std::vector<std::string> ancestor_paths(const std::string& path) {
  std::vector<std::string> out;
  for (std::size_t i = 1; i < path.size(); ++i) {
    if (path[i] == '.' || path[i] == '[') out.push_back(path.substr(0, i));
  }
  return out;
}

std::string field_at_byte(const std::vector<shminspect::DecodedValue>& values,
                          std::uint64_t offset) {
  const shminspect::DecodedValue* best = nullptr;
  for (const auto& v : values) {
    if (v.is_container || offset < v.offset || offset - v.offset >= v.size) continue;
    if (best == nullptr || v.depth > best->depth) best = &v;
  }
  return best != nullptr ? best->path : std::string();
}

InspectModel::InspectModel(shminspect::Layout layout, std::string segment_label)
    : layout_(std::make_shared<const shminspect::Layout>(layout)),
      declared_(std::move(layout)),
      segment_label_(std::move(segment_label)),
      facts_(shminspect::layout_facts(*layout_)) {
  // FieldHistory records every field when its watch list is empty; a huge struct records only
  // the fields the user looks at ("" is never a leaf's path, so it stands for "none yet").
  if (leaf_count(*layout_) > kMaxHistoryFields) history_.set_watched({""});
}

void InspectModel::note(std::uint64_t t, std::string text) {
  if (notes_.size() >= kMaxNotes) notes_.pop_front();
  notes_.push_back({t, std::move(text)});
}

void InspectModel::resize_for(std::uint64_t segment_size) {
  if (sized_for_ == segment_size) return;
  sized_for_ = segment_size;
  shminspect::Layout sized = shminspect::size_flexible_array(declared_, segment_size);
  if (sized.size == layout_->size && shminspect::compare_layouts(sized, *layout_).empty()) return;
  layout_ = std::make_shared<const shminspect::Layout>(std::move(sized));
  facts_ = shminspect::layout_facts(*layout_);
  values_.clear();  // they point into the old layout
}

void InspectModel::track_changes(const shminspect::Sample& before, const shminspect::Sample& now) {
  const std::uint64_t tracked = std::min<std::uint64_t>(now.bytes.size(), kMaxGlowBytes);
  if (now.base != glow_base_ || byte_changed_at_.size() != tracked) {
    glow_base_ = now.base;
    byte_changed_at_.assign(tracked, 0);
  }
  if (before.base != now.base || !before.present) return;
  const std::size_t n = std::min<std::size_t>(tracked, before.bytes.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (before.bytes[i] == now.bytes[i]) continue;
    // A byte caught mid-write is "in flux", not a change (it may settle back).
    if (i < now.in_flux.size() && now.in_flux[i] != 0) continue;
    if (i < before.in_flux.size() && before.in_flux[i] != 0) continue;
    byte_changed_at_[i] = now.time_ns;
  }
}

void InspectModel::add_sample(shminspect::Sample sample) {
  const std::uint64_t t = sample.time_ns;
  if (samples_ == 0) first_ns_ = t;
  ++samples_;
  recent_times_.push_back(t);
  while (!recent_times_.empty() && t - recent_times_.front() > kSecondNs) recent_times_.pop_front();
  rate_ = static_cast<double>(recent_times_.size());
  if (sample.event != shminspect::SegmentEvent::None || (!sample.present && latest_.present)) {
    note(t, sample.message.empty() ? shminspect::event_name(sample.event) : sample.message);
  }
  if (!sample.present) {
    latest_ = std::move(sample);
    values_.clear();
    return;
  }
  if (!sample.consistent) ++inconsistent_;
  resize_for(sample.segment_size);

  std::vector<shminspect::DecodedValue> now = shminspect::decode(*layout_, sample);
  if (!values_.empty() && values_.size() == now.size()) {
    for (std::size_t i = 0; i < now.size(); ++i) {
      const auto& a = values_[i];
      const auto& b = now[i];
      if (b.is_container || !a.available || !b.available || b.in_flux) continue;
      if (a.text == b.text) continue;
      changed_at_[b.path] = t;
      ++change_count_[b.path];
      for (const auto& up : ancestor_paths(b.path)) changed_at_[up] = t;
      last_change_ns_ = t;
    }
    sharing_.add(values_, now);
    if (watch_ && !paused_) {
      try {
        if (auto fired = watch_->evaluate(values_, now)) {
          paused_ = true;
          paused_by_watch_ = true;
          paused_sample_ = sample;
          paused_values_ = now;
          paused_layout_ = layout_;
          if (marks_.size() >= kMaxMarks) marks_.pop_front();
          marks_.push_back({t, samples_ - 1, *fired});
        }
      } catch (const shminspect::InspectError& e) {
        note(t, std::string("watch removed: ") + e.what());
        watch_.reset();
      }
    }
  }
  history_.record(t, now);
  track_changes(latest_, sample);
  latest_ = std::move(sample);
  values_ = std::move(now);
}

std::string InspectModel::set_watch(const std::string& text) {
  try {
    shminspect::WatchCondition condition = shminspect::WatchCondition::parse(text);
    // An unknown field is said now, not on the first sample after.
    if (!values_.empty()) (void)condition.evaluate(values_, values_);
    keep_history_for(condition.field());
    watch_ = std::move(condition);
    return "";
  } catch (const shminspect::InspectError& e) {
    return e.what();
  }
}

void InspectModel::clear_watch() { watch_.reset(); }

void InspectModel::resume() {
  paused_ = false;
  paused_by_watch_ = false;
  paused_values_.clear();
  paused_layout_.reset();
}

void InspectModel::pause_here() {
  if (paused_) return;
  paused_ = true;
  paused_by_watch_ = false;
  paused_sample_ = latest_;
  paused_values_ = values_;
  paused_layout_ = layout_;
}

void InspectModel::keep_history_for(const std::string& path) {
  if (path.empty()) return;
  if (std::find(history_extra_.begin(), history_extra_.end(), path) != history_extra_.end()) return;
  if (leaf_count(*layout_) <= kMaxHistoryFields) return;  // every field is kept already
  if (history_extra_.size() >= kMaxHistoryFields) history_extra_.erase(history_extra_.begin());
  history_extra_.push_back(path);
  history_.set_watched(history_extra_);
}

const shminspect::DecodedValue* InspectModel::shown_value(const std::string& path) const {
  for (const auto& v : shown_values()) {
    if (v.path == path) return &v;
  }
  return nullptr;
}

std::uint64_t InspectModel::field_changed_at(const std::string& path) const {
  const auto it = changed_at_.find(path);
  return it == changed_at_.end() ? 0 : it->second;
}

std::uint64_t InspectModel::changes_seen(const std::string& path) const {
  const auto it = change_count_.find(path);
  return it == change_count_.end() ? 0 : it->second;
}

std::uint64_t InspectModel::byte_changed_at(std::uint64_t offset) const {
  if (offset < glow_base_ || offset - glow_base_ >= byte_changed_at_.size()) return 0;
  return byte_changed_at_[offset - glow_base_];
}

}  // namespace shmscope::inspect
