// A session: one named POSIX shared-memory block (Boost.Interprocess shared_memory_object +
// mapped_region), created exclusively with mode 0600. Roles are decided by open-file-description
// byte-range locks on the segment itself, which the kernel drops when a process dies, so
// election is race-free and survives crashes (see docs/PROTOCOL.md, "Sessions and roles").
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "shmipc/actor.hpp"
#include "shmipc/block.hpp"

namespace shmipc {

enum class RoleRequest {
  Any,       // the article's rule: parent if free, else child, else Error(SessionFull)
  Parent,    // Error(RoleTaken) if a live parent exists
  Child,     // Error(RoleTaken) if a live child exists; Error(NotFound) if no session
  AnyOrObserver,  // like Any, but a third process joins as an observer instead of failing
  Observer,  // take part without a peer role (read-write, journaled, keeps no role lock)
  Tool,      // a helper such as `shmipc lock` or the monitor acting: like Observer
};

struct SessionOptions {
  std::string name{"KBuildDevelop"};
  RoleRequest role = RoleRequest::Any;
  PeerMode mode = PeerMode::Reliable;
  bool create_if_missing = true;  // false: Error(NotFound) instead of creating
  std::chrono::milliseconds setup_timeout{3000};  // waiting for another process's set-up
};

class Session {
 public:
  // Throws Error: InvalidName, SessionFull, RoleTaken, NotFound, Untrusted, Corrupt, System.
  static std::unique_ptr<Session> join(const SessionOptions& options);

  ~Session();  // leave()
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Idempotent. Frees the role and slot; the last member to leave unlinks the segment.
  void leave() noexcept;

  Role role() const noexcept;
  const std::string& name() const noexcept;
  bool created() const noexcept;    // this process built the block
  bool reclaimed() const noexcept;  // ...over a stale block left by dead processes
  Block& block() noexcept;
  const Actor& actor() const noexcept;

  void heartbeat() noexcept;
  // Throws Error(Corrupt) naming what another process did, if it resized, replaced or removed
  // the segment or overwrote the block's header since we joined (docs/RELIABILITY.md,
  // "A segment changed under its peers"). Checks at most every 100 ms unless `now`.
  void verify_segment(bool now = false);
  // Whether a live process holds that role lock (kernel-checked, never a pid guess).
  bool role_alive(Role role) const;

  struct Impl;

 private:
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct SessionInfo {
  std::string name;
  bool parent_alive = false;
  bool child_alive = false;
  bool stale = false;    // no live member holds the segment
  bool foreign = false;  // not ours (owner / mode / size / magic): listed, never opened rw
  std::string problem;   // why it is foreign or corrupt, empty otherwise
};

// Sessions found in /dev/shm (segments named "shmscope.*" with our magic).
std::vector<SessionInfo> list_sessions();

// Removes a session's segment if no live member holds it. Returns false if it is in use.
// Throws Error(NotFound) if there is no such session.
bool remove_stale_session(const std::string& name);

}  // namespace shmipc
