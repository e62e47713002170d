#include "replay/timeline_view.hpp"

#include <cstdio>

namespace shmscope {
namespace {

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f s", s);
  return buf;
}

}  // namespace

TimelineView make_timeline_view(const Playback& p) {
  const shmrecord::Reader& r = p.reader();
  TimelineView v;
  v.seconds = p.seconds();
  v.duration = static_cast<double>(r.duration_ns()) * 1e-9;
  v.time_text = seconds_text(v.seconds) + " / " + seconds_text(v.duration);
  v.source_text = p.label() + ": session " + r.info().session;
  if (!r.info().host.empty()) v.source_text += " recorded on " + r.info().host;
  const shmrecord::ReaderStatus& st = r.status();
  switch (st.state) {
    case shmrecord::FileState::Growing:
      v.state_text = (p.stream() ? "live stream: " : "still being written: ") +
                     std::to_string(st.chunks) + " chunks so far";
      break;
    case shmrecord::FileState::Complete:
      v.state_text = "complete";
      if (st.end) v.state_text += " (" + std::string(shmrecord::end_reason_name(st.end->reason)) + ")";
      break;
    case shmrecord::FileState::Truncated:
    case shmrecord::FileState::Corrupt:
      v.damaged = true;
      // The reader's sentence names the state itself ("truncated after chunk 41 at offset...").
      // A truncated file's sentence names its state ("truncated after chunk 41 at offset
      // ..."); a corrupt chunk's starts with the chunk ("chunk 12 at offset ...").
      v.state_text = st.problem.empty() ? std::string(shmrecord::file_state_name(st.state))
                     : st.state == shmrecord::FileState::Corrupt ? "corrupt: " + st.problem
                                                                 : st.problem;
      break;
  }
  const auto& gaps = r.gaps();
  if (!gaps.empty()) {
    v.gaps_text = std::to_string(gaps.size()) + (gaps.size() == 1 ? " gap: " : " gaps: ") +
                  std::to_string(r.lost_records()) + " records lost to the ring (marked on the timeline)";
    for (const shmrecord::Gap& g : gaps) {
      const double at = v.duration > 0 ? r.seconds_of(g.t_ns) / v.duration : 0;
      v.gap_marks.push_back(at < 0 ? 0 : (at > 1 ? 1 : at));
    }
  }
  v.note = "Playback of a recording: joining, sending and injecting are off (nothing here is "
           "live).";
  v.problem = p.problem();
  return v;
}

}  // namespace shmscope
