// One session's POSIX shared-memory object (Boost.Interprocess shared_memory_object, mapped
// with mapped_region), its descriptor for the role locks, and the checks that decide whether
// an object found under our name may be trusted (docs/PROTOCOL.md, "Segment, trust and roles").
#pragma once

#include <sys/stat.h>

#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>
#include <cstddef>
#include <optional>
#include <string>

#include "shmipc/block.hpp"

namespace shmipc::detail {

enum class SegmentAccess { ReadWrite, ReadOnly };

class Segment {
 public:
  // O_CREAT | O_EXCL with mode 0600; nullopt if the name exists already.
  static std::optional<Segment> create_exclusive(const std::string& session);
  // nullopt if there is no object with that name.
  static std::optional<Segment> open_existing(const std::string& session, SegmentAccess access);

  Segment(Segment&&) noexcept = default;
  Segment& operator=(Segment&&) noexcept = default;
  ~Segment();

  int fd() const noexcept;
  const std::string& session() const noexcept { return session_; }
  std::string path() const;  // /dev/shm/shmscope.<name>, for messages and stat()

  struct stat status() const;  // fstat on our descriptor
  // Why the object is not ours to use (owner, mode, size), or nullopt. `allow_empty` accepts
  // size 0: a creator that died before ftruncate leaves that, and it is reclaimable.
  std::optional<std::string> trust_problem(bool allow_empty) const;
  // The name still names the object we have open (same inode): a joiner that raced with the
  // last member's unlink has an orphan and must start again.
  bool name_still_names_this() const;
  // What another process did to the segment since we trusted it: resized it (fstat on our
  // descriptor), or removed or replaced its name (stat of the name). nullopt if neither.
  // `removal_counts` false: a removed name is the normal end of a session an observer watches.
  std::optional<std::string> tampering(bool removal_counts) const;

  void resize_to_block();  // ftruncate to sizeof(Block)
  Block& map();            // read-write mapping of the whole block (SIGBUS-guarded)
  Block* block() noexcept { return mapped_ ? static_cast<Block*>(region_.get_address()) : nullptr; }
  void unmap() noexcept;

  // pread at `offset`; returns the bytes read (short if the object is smaller).
  std::size_t read_at(void* dst, std::size_t size, std::size_t offset) const;
  // Removes the name (not the object: whoever has it open keeps it). Ignores ENOENT.
  void unlink_name() const noexcept;

 private:
  Segment(std::string session, boost::interprocess::shared_memory_object shm);

  std::string session_;
  boost::interprocess::shared_memory_object shm_;
  boost::interprocess::mapped_region region_;
  bool mapped_ = false;
};

// A plain copy of the header (BlockHeader holds atomics and cannot be copied).
struct HeaderFields {
  std::uint64_t magic = 0;
  std::uint32_t layout_version = 0;
  std::uint32_t block_size = 0;
  std::uint32_t creator_uid = 0;
  std::uint32_t creator_pid = 0;
  std::uint32_t init_state = 0;
  std::uint32_t session_epoch = 0;
  bool ready() const { return init_state == kInitReady; }
};

// Why a header copy is not a block of ours (magic, layout version, block size), or nullopt.
std::optional<std::string> header_problem(const std::string& path, const HeaderFields& header);

// Reads the header of an open segment with pread (no mapping); nullopt if it is too short.
std::optional<HeaderFields> read_header(const Segment& segment);

}  // namespace shmipc::detail
