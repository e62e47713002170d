// Samples a user's segment on its own thread, up to 1 kHz while it changes and 50 Hz while it
// is quiet, and feeds every sample to the model (history and watches see them all, not only
// the ones a frame happens to draw). Wakes the window when something changed.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "inspect/inspect_model.hpp"
#include "shminspect/segment_reader.hpp"

namespace shmscope::inspect {

class InspectSampler {
 public:
  // `model` is only touched with `mutex` held; `wake` is called from the sampler thread.
  InspectSampler(shminspect::SegmentReader reader, std::vector<shminspect::ByteRange> ranges,
                 InspectModel& model, std::mutex& mutex, std::function<void()> wake);
  ~InspectSampler();
  InspectSampler(const InspectSampler&) = delete;
  InspectSampler& operator=(const InspectSampler&) = delete;

 private:
  void run();

  shminspect::SegmentReader reader_;
  std::vector<shminspect::ByteRange> ranges_;
  InspectModel& model_;
  std::mutex& mutex_;
  std::function<void()> wake_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// What to read of a segment for a layout: its bytes (at least the first 64 KiB, so the hex
// view has something past a small struct), at most 16 MiB, the whole segment up to that for a
// flexible array. Hundreds of MB are never copied per sample.
std::vector<shminspect::ByteRange> sampled_ranges(const shminspect::Layout& layout);

}  // namespace shmscope::inspect
