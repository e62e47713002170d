#include "file_stream.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <variant>

#include "shmipc/error.hpp"
#include "shmipc/liveness.hpp"

namespace shmcli {

namespace {

struct FileCloser {
  void operator()(std::FILE* f) const noexcept {
    if (f != nullptr) std::fclose(f);
  }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

File open_file(const std::string& path, const char* mode, const char* what) {
  File f(std::fopen(path.c_str(), mode));
  if (!f) {
    const int err = errno;
    throw shmipc::Error(shmipc::ErrorCode::Usage,
                        std::string("cannot open ") + what + " '" + path + "': " + std::strerror(err));
  }
  return f;
}

shmipc::Deadline after_seconds(double s) {
  return shmipc::deadline_after(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(s)));
}

[[noreturn]] void not_taken(shmipc::Session& session, const std::string& what) {
  throw shmipc::Error(shmipc::ErrorCode::Timeout,
                      what + "; " +
                          shmipc::describe_unanswering_peer(session.block(), shmipc::Role::Parent,
                                                            shmipc::monotonic_ns()));
}

}  // namespace

StreamTotals send_file(shmipc::Session& session, shmipc::ChildPeer& child, const std::string& path,
                       double timeout_s) {
  File in = open_file(path, "rb", "the file to send");
  if (child.mode() != shmipc::PeerMode::Reliable)
    throw shmipc::Error(shmipc::ErrorCode::Usage,
                        "--send-file needs the reliable mode: without receipts the parent could "
                        "miss a chunk (seed-faithful overwrites unread messages)");
  StreamTotals totals;
  char chunk[shmipc::kDataCapacity];
  for (;;) {
    const std::size_t n = std::fread(chunk, 1, sizeof chunk, in.get());
    if (n == 0) {
      if (std::ferror(in.get()))
        throw shmipc::Error(shmipc::ErrorCode::System,
                            "reading '" + path + "' failed after " + std::to_string(totals.bytes) +
                                " bytes");
      break;
    }
    shmipc::SendReceipt r;
    try {
      r = child.send_message(std::string_view(chunk, n), after_seconds(timeout_s));
    } catch (const shmipc::Error& e) {
      if (e.code() != shmipc::ErrorCode::Timeout) throw;
      not_taken(session, std::string(e.what()) + "; '" + path + "' stopped after " +
                             std::to_string(totals.bytes) + " bytes");
    }
    if (!r.receipt) {
      using W = shmipc::ChildPeer::Withdrawal;
      if (child.withdraw_unread(r.sequence, after_seconds(0.5)) != W::Read)
        not_taken(session, "the parent has not taken message #" + std::to_string(r.sequence) +
                               " (bytes " + std::to_string(totals.bytes) + ".." +
                               std::to_string(totals.bytes + n) + " of '" + path + "')");
    }
    totals.bytes += n;
    ++totals.messages;
  }
  return totals;
}

StreamTotals receive_to_file(shmipc::Session& session, shmipc::ParentPeer& parent,
                             const std::string& path, std::optional<std::uint64_t> max_messages,
                             bool* killed) {
  (void)session;
  File out = open_file(path, "wb", "the output file");
  StreamTotals totals;
  if (killed != nullptr) *killed = false;
  while (!max_messages || totals.messages < *max_messages) {
    const shmipc::ParentEvent event = parent.next();
    if (const auto* m = std::get_if<shmipc::ReceivedMessage>(&event)) {
      if (m->withdrawn) continue;  // its sender reports it as not delivered, and stops
      std::string problem;
      if (m->torn) problem = "is torn (its writer died or skipped the mutex)";
      else if (!m->checksum_ok) problem = "fails its checksum";
      else if (m->lost_before > 0) problem = "comes after " + std::to_string(m->lost_before) + " lost";
      if (!problem.empty())
        throw shmipc::Error(shmipc::ErrorCode::Corrupt,
                            "message #" + std::to_string(m->sequence) + " " + problem + "; '" +
                                path + "' holds only the " + std::to_string(totals.bytes) +
                                " bytes before it");
      if (!m->data.empty() && std::fwrite(m->data.data(), 1, m->data.size(), out.get()) != m->data.size())
        throw shmipc::Error(shmipc::ErrorCode::System,
                            "writing '" + path + "' failed after " + std::to_string(totals.bytes) +
                                " bytes: " + std::strerror(errno));
      totals.bytes += m->data.size();
      ++totals.messages;
    } else if (const auto* c = std::get_if<shmipc::ReceivedCommand>(&event)) {
      if (c->command == shmipc::Command::KillApp) {
        if (killed != nullptr) *killed = true;
        break;
      }
    }
  }
  if (std::fflush(out.get()) != 0)
    throw shmipc::Error(shmipc::ErrorCode::System,
                        "writing '" + path + "' failed: " + std::strerror(errno));
  std::FILE* raw = out.release();
  if (std::fclose(raw) != 0)
    throw shmipc::Error(shmipc::ErrorCode::System,
                        "closing '" + path + "' failed: " + std::strerror(errno));
  return totals;
}

}  // namespace shmcli
