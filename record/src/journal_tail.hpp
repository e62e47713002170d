// The recorder's fast path to the journal: a read-only descriptor of the session's segment
// and pread copies of only the ring entries not yet recorded (a few KiB), decoded by the
// protocol library's own journal_decode. A whole-block snapshot (134 KiB copied and
// decoded) each time would make the recorder too slow to follow a busy session's ring.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shmipc/journal.hpp"

namespace shmrecord::detail {

class JournalTail {
 public:
  // Opens /dev/shm/shmscope.NAME read-only; throws shmipc::Error(Untrusted) for a segment
  // that is not a regular file of ours of the block's size.
  explicit JournalTail(const std::string& session);
  ~JournalTail();
  JournalTail(const JournalTail&) = delete;
  JournalTail& operator=(const JournalTail&) = delete;

  // Records [from, next) as journal_decode reports them; nullopt if the segment was cut short.
  std::optional<shmipc::JournalRead> read(std::uint64_t from);

 private:
  int fd_ = -1;
  std::vector<std::byte> copy_;  // block-sized; only the entries just read are current
};

}  // namespace shmrecord::detail
