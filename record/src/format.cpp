// Names of the format's enumerations, as errors and `shmipc status --at` print them.
#include "shmrecord/format.hpp"

namespace shmrecord {

std::string_view chunk_kind_name(ChunkKind kind) noexcept {
  switch (kind) {
    case ChunkKind::FullBlock:
      return "full block";
    case ChunkKind::BlockChange:
      return "block change";
    case ChunkKind::Journal:
      return "journal";
    case ChunkKind::Gap:
      return "gap";
    case ChunkKind::End:
      return "end";
  }
  return "unknown";
}

std::string_view end_reason_name(EndReason reason) noexcept {
  switch (reason) {
    case EndReason::Stopped:
      return "stopped";
    case EndReason::Duration:
      return "duration reached";
    case EndReason::SessionGone:
      return "session gone";
    case EndReason::ReaderGone:
      return "reader gone";
  }
  return "unknown";
}

}  // namespace shmrecord
