// The reader's queries over the checked chunk index: the block at an instant, the journal and
// changes of a time range, times. Payloads are decompressed on demand and the last ones kept.
#include <algorithm>
#include <cstring>

#include "reader_impl.hpp"
#include "shmipc/block.hpp"

namespace shmrecord {

using detail::decode_item;
using detail::get_le;
using detail::kJournalItemBytes;

std::shared_ptr<const std::string> Reader::Impl::payload(std::size_t i) const {
  auto hit = cache.find(i);
  if (hit != cache.end()) {
    hit->second.last_use = ++use_clock;
    return hit->second.raw;
  }
  const ChunkInfo& c = chunks[i];
  const std::string& stored = payloads[i];
  auto raw = std::make_shared<std::string>();
  if (raw_stored[i]) {
    *raw = stored;
  } else {
    raw->resize(c.raw_bytes);
    const std::size_t got =
        ZSTD_decompressDCtx(dctx, raw->data(), raw->size(), stored.data(), stored.size());
    if (ZSTD_isError(got) || got != c.raw_bytes) raw->clear();  // checked when it was read
  }
  while (cache_bytes + raw->size() > kCacheBytes && !cache.empty()) {
    auto oldest = cache.begin();
    for (auto it = cache.begin(); it != cache.end(); ++it)
      if (it->second.last_use < oldest->second.last_use) oldest = it;
    cache_bytes -= oldest->second.raw->size();
    cache.erase(oldest);
  }
  cache_bytes += raw->size();
  cache[i] = CachedPayload{raw, ++use_clock};
  return raw;
}

std::uint64_t Reader::start_ns() const noexcept { return impl_->info.start_monotonic_ns; }
std::uint64_t Reader::end_ns() const noexcept {
  std::uint64_t end = impl_->latest_t;
  if (impl_->status.end) end = std::max(end, impl_->status.end->t_ns);
  return std::max(end, start_ns());
}
std::uint64_t Reader::duration_ns() const noexcept { return end_ns() - start_ns(); }

double Reader::seconds_of(std::uint64_t t_ns) const noexcept {
  const std::uint64_t s = start_ns();
  return t_ns >= s ? static_cast<double>(t_ns - s) / 1e9 : -static_cast<double>(s - t_ns) / 1e9;
}

std::uint64_t Reader::time_at_seconds(double seconds) const noexcept {
  if (!(seconds > 0)) return start_ns();
  const double ns = seconds * 1e9;
  if (ns >= static_cast<double>(UINT64_MAX - start_ns())) return UINT64_MAX;
  return start_ns() + static_cast<std::uint64_t>(ns);
}

void Reader::Impl::apply(std::string& block, std::size_t first, std::size_t last,
                         std::uint64_t change_after, std::optional<std::uint64_t> journal_after,
                         std::uint64_t until) const {
  using shmipc::Block;
  using shmipc::JournalEntry;
  constexpr std::size_t kNextAt = offsetof(Block, journal);
  constexpr std::size_t kEntriesAt = kNextAt + offsetof(shmipc::JournalRing, entries);
  // Journal records go into the ring only for a block of this layout: another layout's ring
  // is elsewhere.
  const bool ring = info.layout_version == shmipc::kLayoutVersion && block.size() == sizeof(Block);
  std::uint64_t next = ring ? get_le<std::uint64_t>(block.data() + kNextAt) : 0;
  for (std::size_t i = first; i < last && i < chunks.size(); ++i) {
    const ChunkInfo& c = chunks[i];
    if (c.t_first_ns > until) continue;
    if (c.kind == ChunkKind::BlockChange) {
      // In file order, which is time order: a later change of the same bytes wins.
      if (c.t_last_ns <= change_after) continue;
      const auto raw = payload(i);
      std::size_t p = 0;
      while (p + 16 <= raw->size()) {
        const auto t = get_le<std::uint64_t>(raw->data() + p);
        const auto off = get_le<std::uint32_t>(raw->data() + p + 8);
        const auto len = get_le<std::uint32_t>(raw->data() + p + 12);
        p += 16;
        if (len > raw->size() - p || off > block.size() || len > block.size() - off) break;
        if (t > change_after && t <= until) std::memcpy(block.data() + off, raw->data() + p, len);
        p += len;
      }
    }
  }
  if (!ring) return;
  // Journal records, newest first (sequence numbers increase through the file): the first
  // record to reach a ring entry is the one a writer left there last, and once every entry
  // has been reached the older records cannot show. A seek into a busy recording so reads
  // the last 2,048 records, not the second of journal since the full copy.
  std::vector<bool> reached(shmipc::kJournalCapacity, false);
  std::size_t reached_count = 0;
  for (std::size_t i = std::min(last, chunks.size()); i-- > first && reached_count < reached.size();) {
    const ChunkInfo& c = chunks[i];
    if (c.kind != ChunkKind::Journal || c.t_first_ns > until) continue;
    if (journal_after && c.t_last_ns <= *journal_after) continue;
    const auto raw = payload(i);
    const std::size_t items = raw->size() / kJournalItemBytes;
    for (std::size_t k = items; k-- > 0 && reached_count < reached.size();) {
      const shmipc::JournalItem item = decode_item(raw->data() + k * kJournalItemBytes);
      if (item.record.t_ns > until || (journal_after && item.record.t_ns <= *journal_after))
        continue;
      const std::size_t index = static_cast<std::size_t>(item.seq % shmipc::kJournalCapacity);
      char* entry = block.data() + kEntriesAt + index * sizeof(JournalEntry);
      // Written as a writer leaves it, unless a newer record already holds the entry.
      const auto existing = get_le<std::uint64_t>(entry + offsetof(JournalEntry, version_head));
      if (existing > item.seq + 1 || reached[index]) continue;
      reached[index] = true;
      ++reached_count;
      std::memcpy(entry + offsetof(JournalEntry, words), &item.record, sizeof item.record);
      const std::uint64_t version = item.seq + 1;
      std::memcpy(entry + offsetof(JournalEntry, version_head), &version, 8);
      std::memcpy(entry + offsetof(JournalEntry, version_tail), &version, 8);
      next = std::max(next, item.seq + 1);
    }
  }
  std::memcpy(block.data() + kNextAt, &next, sizeof next);
}

std::optional<std::vector<std::byte>> Reader::block_at(std::uint64_t t_ns) const {
  const Impl& r = *impl_;
  std::optional<std::size_t> base;
  for (std::size_t i = 0; i < r.chunks.size(); ++i) {
    const ChunkInfo& c = r.chunks[i];
    if (c.kind != ChunkKind::FullBlock || c.t_first_ns > t_ns) continue;
    if (!base || c.t_first_ns >= r.chunks[*base].t_first_ns) base = i;
  }
  if (!base) return std::nullopt;
  const std::uint64_t t_full = r.chunks[*base].t_first_ns;
  Impl::BlockAt& cached = r.last_block;
  if (cached.valid && cached.base == *base && cached.t <= t_ns) {
    // Forward from the last answer: what happened since it, and what arrived since it.
    r.apply(cached.block, *base + 1, cached.chunks, cached.t, cached.t, t_ns);
    r.apply(cached.block, cached.chunks, r.chunks.size(), t_full, std::nullopt, t_ns);
  } else {
    const auto copy = r.payload(*base);
    if (copy->size() != r.info.block_size) return std::nullopt;
    cached.block = *copy;
    r.apply(cached.block, *base + 1, r.chunks.size(), t_full, std::nullopt, t_ns);
  }
  cached.valid = true;
  cached.base = *base;
  cached.chunks = r.chunks.size();
  cached.t = t_ns;
  std::vector<std::byte> out(cached.block.size());
  std::memcpy(out.data(), cached.block.data(), cached.block.size());
  return out;
}

std::vector<shmipc::JournalItem> Reader::journal(std::uint64_t t_first_ns,
                                                 std::uint64_t t_last_ns) const {
  const Impl& r = *impl_;
  std::vector<shmipc::JournalItem> out;
  for (std::size_t i = 0; i < r.chunks.size(); ++i) {
    const ChunkInfo& c = r.chunks[i];
    if (c.kind != ChunkKind::Journal || c.t_last_ns < t_first_ns || c.t_first_ns > t_last_ns)
      continue;
    const auto raw = r.payload(i);
    for (std::size_t p = 0; p + kJournalItemBytes <= raw->size(); p += kJournalItemBytes) {
      shmipc::JournalItem item = decode_item(raw->data() + p);
      if (item.record.t_ns >= t_first_ns && item.record.t_ns <= t_last_ns) out.push_back(item);
    }
  }
  return out;
}

std::vector<shmipc::JournalItem> Reader::journal_all() const { return journal(0, UINT64_MAX); }
std::uint64_t Reader::journal_records() const noexcept { return impl_->records; }
const std::vector<Gap>& Reader::gaps() const noexcept { return impl_->gaps; }
std::uint64_t Reader::lost_records() const noexcept { return impl_->lost; }

std::vector<BlockChange> Reader::changes(std::uint64_t t_first_ns, std::uint64_t t_last_ns) const {
  const Impl& r = *impl_;
  std::vector<BlockChange> out;
  for (std::size_t i = 0; i < r.chunks.size(); ++i) {
    const ChunkInfo& c = r.chunks[i];
    if (c.kind != ChunkKind::BlockChange || c.t_last_ns < t_first_ns || c.t_first_ns > t_last_ns)
      continue;
    const auto held = r.payload(i);
    const std::string& raw = *held;
    std::size_t p = 0;
    while (p + 16 <= raw.size()) {
      BlockChange ch;
      ch.t_ns = get_le<std::uint64_t>(raw.data() + p);
      ch.offset = get_le<std::uint32_t>(raw.data() + p + 8);
      const auto len = get_le<std::uint32_t>(raw.data() + p + 12);
      p += 16;
      if (len > raw.size() - p) break;
      ch.bytes.assign(raw.data() + p, len);
      p += len;
      if (ch.t_ns >= t_first_ns && ch.t_ns <= t_last_ns) out.push_back(std::move(ch));
    }
  }
  return out;
}

std::vector<std::uint64_t> Reader::full_block_times() const {
  std::vector<std::uint64_t> out;
  for (const ChunkInfo& c : impl_->chunks)
    if (c.kind == ChunkKind::FullBlock) out.push_back(c.t_first_ns);
  std::sort(out.begin(), out.end());
  return out;
}

std::string_view file_state_name(FileState state) noexcept {
  switch (state) {
    case FileState::Growing:
      return "growing";
    case FileState::Complete:
      return "complete";
    case FileState::Truncated:
      return "truncated";
    case FileState::Corrupt:
      return "corrupt";
  }
  return "unknown";
}

}  // namespace shmrecord
