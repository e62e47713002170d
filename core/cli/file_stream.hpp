// A file through the block: `shmipc child --send-file FILE` cuts it into messages of at most
// kDataCapacity bytes, each sent only after the previous one's receipt; `shmipc parent --out
// FILE` appends every message to FILE in order. The receipts give flow control, sequence
// numbers and checksums say that nothing was lost, torn or reordered: FILE comes out
// byte-identical or the command fails saying which message was wrong.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "shmipc/peer.hpp"
#include "shmipc/session.hpp"

namespace shmcli {

struct StreamTotals {
  std::uint64_t bytes = 0;
  std::uint64_t messages = 0;
};

// Throws Error(Usage) naming the file if it cannot be read, Error(Timeout) naming the message
// the parent did not take within `timeout_s`.
StreamTotals send_file(shmipc::Session& session, shmipc::ChildPeer& child, const std::string& path,
                       double timeout_s);

// Receives until KILL_APP (true in `*killed`) or `max_messages`; every message's bytes go to
// `path` (truncated first). A torn, checksum-failing or skipped message throws Error(Corrupt)
// naming it: the file would not be what was sent.
StreamTotals receive_to_file(shmipc::Session& session, shmipc::ParentPeer& parent,
                             const std::string& path, std::optional<std::uint64_t> max_messages,
                             bool* killed);

}  // namespace shmcli
