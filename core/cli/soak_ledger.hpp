// The soak's shared ledger: what every message became, written by the forked peers and read by
// the controller (shmipc soak, docs/RELIABILITY.md "Soak").
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shmcli::soak {

// What the sender knows of one message.
enum Outcome : std::uint8_t {
  kUnsent = 0,
  kSending = 1,  // claimed; final only if its sender was killed
  kReceipt = 2,  // the parent's receipt came (or its read was seen when withdrawing)
  kFailed = 3,   // reported as failed to the sender (timed out, withdrawn, not written)
};

// Shared by the controller and every forked peer (MAP_SHARED | MAP_ANONYMOUS, inherited).
struct Ledger {
  std::atomic<std::uint64_t> next_id;       // the next message number a child takes
  std::atomic<std::uint64_t> settled;       // messages with a final outcome
  std::atomic<std::uint64_t> parent_joins;  // parents that joined so far
  std::atomic<std::uint64_t> child_joins;
  std::atomic<std::uint64_t> rejected;   // torn or bad-checksum reads (never counted)
  std::atomic<std::uint64_t> foreign;    // reads whose payload named no message of ours
  std::atomic<std::uint64_t> snapshots;  // the observer's copies
  std::atomic<std::uint64_t> observer_errors;
  std::atomic<std::uint32_t> stop_observer;
  // A second delivery, as the parent saw it: which message, at which block sequences.
  std::atomic<std::uint64_t> dup_id, dup_first_sequence, dup_second_sequence;
  std::atomic<std::uint32_t> dup_first_pid, dup_second_pid;
  // then: std::atomic<uint8_t> delivered[n], outcome[n]; std::atomic<uint64_t> sequence_of[n]
};

struct Shared {
  Ledger* ledger = nullptr;
  std::atomic<std::uint8_t>* delivered = nullptr;
  std::atomic<std::uint8_t>* outcome = nullptr;
  std::atomic<std::uint64_t>* sequence_of = nullptr;  // block sequence of the first delivery
  std::atomic<std::uint32_t>* reader_of = nullptr;    // pid of the parent that delivered it
  std::size_t bytes = 0;
};

// Anonymous shared memory for n messages, inherited by every forked peer; zero-filled.
Shared map_ledger(std::uint64_t n);
void unmap_ledger(const Shared& s) noexcept;

// "0000001234 soak message": the number first, so a 16-byte journal preview holds it.
std::string payload_of(std::uint64_t id);
// The message number at the start of a payload or preview; nullopt if it is not one of ours.
std::optional<std::uint64_t> id_of(const char* bytes, std::size_t size);

struct Tally {
  std::uint64_t delivered = 0, failed = 0, in_flight = 0, in_flight_delivered = 0;
  std::uint64_t taken_by_killed_parent = 0, lost = 0, duplicated = 0, failed_but_delivered = 0;
  std::uint64_t unsent = 0;
  bool ok() const {
    return lost == 0 && duplicated == 0 && failed_but_delivered == 0 && unsent == 0;
  }
};

// Classifies every message; `taken_by_dead` marks those a killed parent read without counting.
Tally account(const Shared& sh, std::uint64_t n, const std::vector<std::uint8_t>& taken_by_dead);

}  // namespace shmcli::soak
