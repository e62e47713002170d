#include "shminspect/live_view.hpp"

#include <algorithm>
#include <map>

namespace shminspect {

LiveView::LiveView(Layout layout, SegmentReader reader, LiveViewOptions options)
    : base_layout_(std::move(layout)),
      reader_(std::move(reader)),
      options_(options),
      current_layout_(std::make_shared<const Layout>(size_flexible_array(base_layout_, reader_.size()))),
      history_(options.history_capacity),
      sharing_(options.false_sharing_min_samples) {}

TickResult LiveView::tick(const std::vector<ByteRange>& extra) {
  // The previous values point into the previous layout: keep it alive for this comparison.
  previous_layout_ = current_layout_;
  previous_values_ = std::move(values_);

  std::uint64_t extent = current_layout_->size;
  for (const auto& c : current_layout_->root.children) extent = std::max(extent, c.offset + c.size);
  std::vector<ByteRange> ranges{{0, extent}};
  ranges.insert(ranges.end(), extra.begin(), extra.end());
  sample_ = reader_.read(ranges);
  const auto& members = base_layout_.root.children;
  if (sample_.present && !members.empty() && members.back().flexible) {
    // A flexible array member follows the segment's size (read more next tick if it grew).
    current_layout_ = std::make_shared<const Layout>(size_flexible_array(base_layout_, sample_.segment_size));
  }
  values_ = decode(*current_layout_, sample_, options_.decode);

  TickResult result;
  result.event = sample_.event;
  result.message = sample_.message;
  if (!sample_.present) return result;
  history_.record(sample_.time_ns, values_);
  if (previous_values_.empty()) return result;

  std::map<std::string, const DecodedValue*> before;
  for (const auto& v : previous_values_) {
    if (!v.is_container && v.available) before[v.path] = &v;
  }
  for (const auto& v : values_) {
    if (v.is_container || !v.available || v.in_flux) continue;
    const auto it = before.find(v.path);
    if (it != before.end() && it->second->text != v.text) result.changed.push_back(v.path);
  }
  if (sample_.consistent) sharing_.add(previous_values_, values_);
  if (watch_) result.watch = watch_->evaluate(previous_values_, values_);
  return result;
}

std::vector<LayoutFact> LiveView::facts() const {
  auto facts = layout_facts(*current_layout_);
  const auto found = sharing_.findings();
  facts.insert(facts.end(), found.begin(), found.end());
  return facts;
}

}  // namespace shminspect
