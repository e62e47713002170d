#include "inspect/app/inspect_sampler.hpp"

#include <algorithm>
#include <chrono>

namespace shmscope::inspect {
namespace {

constexpr std::uint64_t kBusyForNs = 500'000'000;  // after a change, sample fast this long
constexpr auto kBusyPeriod = std::chrono::milliseconds(1);
constexpr auto kQuietPeriod = std::chrono::milliseconds(20);
constexpr std::uint64_t kWakeEveryNs = 16'000'000;  // the window redraws at most ~60 Hz for us
constexpr std::uint64_t kMinRead = 64u << 10;
constexpr std::uint64_t kMaxRead = 16u << 20;

bool has_flexible_array(const shminspect::Field& f) {
  if (f.flexible) return true;
  return std::any_of(f.children.begin(), f.children.end(), has_flexible_array);
}

}  // namespace

std::vector<shminspect::ByteRange> sampled_ranges(const shminspect::Layout& layout) {
  const std::uint64_t want =
      has_flexible_array(layout.root) ? kMaxRead : std::clamp(layout.size, kMinRead, kMaxRead);
  return {{0, want}};
}

InspectSampler::InspectSampler(shminspect::SegmentReader reader,
                               std::vector<shminspect::ByteRange> ranges, InspectModel& model,
                               std::mutex& mutex, std::function<void()> wake)
    : reader_(std::move(reader)),
      ranges_(std::move(ranges)),
      model_(model),
      mutex_(mutex),
      wake_(std::move(wake)),
      thread_([this] { run(); }) {}

InspectSampler::~InspectSampler() {
  stop_ = true;
  thread_.join();
}

void InspectSampler::run() {
  std::uint64_t seen_change = 0;
  std::uint64_t seen_samples_notes = 0;
  std::uint64_t last_wake = 0;
  while (!stop_) {
    shminspect::Sample sample = reader_.read(ranges_);
    const std::uint64_t t = sample.time_ns;
    bool news = false;
    std::uint64_t last_change = 0;
    {
      std::lock_guard lock(mutex_);
      model_.add_sample(std::move(sample));
      last_change = model_.last_change_ns();
      news = last_change != seen_change || model_.notes().size() != seen_samples_notes ||
             model_.samples() == 1;
      seen_change = last_change;
      seen_samples_notes = model_.notes().size();
    }
    if (news && t - last_wake >= kWakeEveryNs) {
      last_wake = t;
      wake_();
    }
    std::this_thread::sleep_for(t - last_change < kBusyForNs ? kBusyPeriod : kQuietPeriod);
  }
}

}  // namespace shmscope::inspect
