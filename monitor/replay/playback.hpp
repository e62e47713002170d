// A recording played back into the same SessionHistory the live panels read: the block at the
// chosen instant (Reader::block_at, decoded by the same decode_snapshot as a live copy) and the
// journal records up to it, with the recording's gaps. Nothing here touches a live session:
// acting is impossible in playback by construction.
//
// A stream (`shmscope --open -`) grows while it is shown: pump() reads what arrived, and the
// view follows the newest instant until the user scrubs back (follow() again to return).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/session_history.hpp"
#include "panels/panels.hpp"
#include "shmrecord/reader.hpp"

namespace shmscope {

class Playback {
 public:
  static constexpr double kMinSpeed = 0.1;
  static constexpr double kMaxSpeed = 10.0;
  static constexpr std::size_t kJournalKept = 8192;  // as the live monitor keeps

  // `label` names the source on screen (the file name, or "standard input").
  Playback(std::unique_ptr<shmrecord::Reader> reader, std::string label, bool stream);
  // "-" reads standard input as a stream; anything else is a file. Throws FormatError or
  // std::system_error with a message naming the problem.
  static std::unique_ptr<Playback> open(const std::string& path);

  // Once a frame: reads a stream's new chunks, moves the instant on while playing (by the wall
  // time since the last call times the speed) or to the newest while following, and rebuilds
  // the shown history when the instant moved. True if what is shown changed.
  bool update(std::uint64_t wall_now_ns);

  // Moves to instant t (clamped to the recording); stops following the newest.
  void seek(std::uint64_t t_ns);
  void seek_seconds(double seconds);
  // To the time of the previous / next journal record (dir < 0 / > 0) from the current instant.
  void step(int dir);
  void set_playing(bool playing);
  void toggle_playing() { set_playing(!playing_); }
  void set_speed(double speed);
  void follow();  // show the newest instant, and keep showing it as a stream grows

  const SessionHistory& history() const { return history_; }
  const shmrecord::Reader& reader() const { return *reader_; }
  const std::string& label() const { return label_; }
  bool stream() const { return stream_; }
  bool playing() const { return playing_; }
  bool following() const { return following_; }
  double speed() const { return speed_; }
  std::uint64_t t_ns() const { return t_ns_; }
  double seconds() const { return reader_->seconds_of(t_ns_); }
  // Why there is no block to show (before the first full copy; a block that does not decode).
  const std::string& problem() const { return problem_; }

 private:
  void rebuild();
  std::unique_ptr<shmrecord::Reader> reader_;
  std::string label_;
  bool stream_ = false;
  SessionHistory history_;
  std::uint64_t t_ns_ = 0;
  std::uint64_t shown_ns_ = 0;  // the instant history_ holds
  bool shown_valid_ = false;
  bool playing_ = false;
  bool following_ = true;
  double speed_ = 1.0;
  std::uint64_t last_wall_ns_ = 0;
  bool clock_running_ = false;  // playing at the last update(): its wall time counts
  double carry_ns_ = 0;  // fractional play time not applied yet
  std::size_t chunks_seen_ = 0;
  std::string problem_;
};

// What the panels draw in playback: the history at the chosen instant, "now" being that instant
// (ages on screen are as they were then), times counted from the recording's start as on the
// timeline.
PanelInput playback_panel_input(const Playback& playback, const ActingState& acting);

}  // namespace shmscope
