// The app's one connection to a session: an Observer for watching (retrying every 500 ms
// while the session does not exist), and, only when the user acts, a peer (parent or child)
// or a Tool member for injections. Protocol calls that can wait run on worker threads, so a
// held mutex or a missing receipt never freezes the UI.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "model/acting_state.hpp"
#include "model/session_history.hpp"
#include "shmipc/observer.hpp"
#include "ui/action_request.hpp"
#include "ui/ui_state.hpp"

namespace shmscope {

class SessionLink {
 public:
  explicit SessionLink(std::string session);
  ~SessionLink();
  SessionLink(const SessionLink&) = delete;
  SessionLink& operator=(const SessionLink&) = delete;

  // Attaches if needed, takes one snapshot and feeds `history` with it and the journal
  // records since the last call. Returns true if anything in the block changed (heartbeats
  // aside), which keeps the UI rendering at full rate.
  bool update(SessionHistory& history);

  // Carries out a panel's request; anything slow is handed to a worker thread.
  void execute(const ActionRequest& request, SessionHistory& history, UiState& ui);

  // A copy for this frame's panels (the parent's receive loop appends to the original).
  ActingState acting() const;
  std::string session() const;
  std::string status() const;  // "attached", or why not

  struct PeerRun;
  struct ToolRun;

 private:
  void attach_to(const std::string& name, SessionHistory& history);
  void join_parent();
  void join_child();
  void leave();
  void inject(const ActionRequest& request);
  void set_result(std::string result);
  void set_error(std::string error);
  void reap_retired();

  std::string session_;
  std::unique_ptr<shmipc::Observer> observer_;
  std::uint64_t next_attach_ns_ = 0;
  std::uint64_t next_link_check_ns_ = 0;
  bool history_needs_clear_ = true;
  std::vector<std::byte> last_raw_;
  std::string status_;

  mutable std::mutex state_mu_;  // guards acting_ against the worker threads
  ActingState acting_;

  std::unique_ptr<PeerRun> peer_;
  std::unique_ptr<ToolRun> tool_;
  std::vector<std::unique_ptr<PeerRun>> retired_;
  std::vector<std::unique_ptr<ToolRun>> retired_tools_;

  friend struct PeerRunAccess;
};

}  // namespace shmscope
