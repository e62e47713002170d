// pahole's questions asked of a layout: where are the holes, how much padding, which members
// cross a cache line; and from live samples, which fields of one line are written separately.
#include "shminspect/layout_facts.hpp"

#include <algorithm>
#include <set>

namespace shminspect {
namespace {

std::string range_text(std::uint64_t offset, std::uint64_t size) {
  return "bytes " + std::to_string(offset) + ".." + std::to_string(offset + size - 1);
}

void struct_facts(const Field& s, const std::string& path, std::vector<LayoutFact>& out) {
  const auto child_path = [&](const Field& c) { return path.empty() ? c.name : path + "." + c.name; };
  if (s.kind == FieldKind::Struct) {
    std::vector<const Field*> members;
    for (const auto& c : s.children) members.push_back(&c);
    std::stable_sort(members.begin(), members.end(),
                     [](const Field* a, const Field* b) { return a->offset < b->offset; });
    std::uint64_t end = s.offset;
    const Field* before = nullptr;
    for (const Field* m : members) {
      if (m->offset > end) {
        LayoutFact f{FactKind::Hole, end, m->offset - end, path, {}, {}};
        if (before) f.fields.push_back(child_path(*before));
        f.fields.push_back(child_path(*m));
        f.text = "hole of " + std::to_string(f.size) + " byte" + (f.size == 1 ? "" : "s") +
                 (before ? " after '" + before->name + "'" : std::string(" at the start")) +
                 " before '" + m->name + "'" + (path.empty() ? "" : " in '" + path + "'") + " (" +
                 range_text(f.offset, f.size) + ")";
        out.push_back(std::move(f));
      }
      end = std::max(end, m->offset + m->size);
      before = m;
    }
    if (s.size > 0 && s.offset + s.size > end && !(before && before->flexible)) {
      LayoutFact f{FactKind::TrailingPadding, end, s.offset + s.size - end, path, {}, {}};
      if (before) f.fields.push_back(child_path(*before));
      f.text = std::to_string(f.size) + " byte" + (f.size == 1 ? "" : "s") + " of padding at the end of " +
               (path.empty() ? std::string("the struct") : "'" + path + "'") + " (" +
               range_text(f.offset, f.size) + ")";
      out.push_back(std::move(f));
    }
  }
  for (const auto& c : s.children) {
    const std::string p = child_path(c);
    if (c.kind == FieldKind::Struct || c.kind == FieldKind::Union) {
      struct_facts(c, p, out);
    } else if (c.kind == FieldKind::Array) {
      if (!c.children.empty()) {
        const Field& e = c.children.front();
        if (e.kind == FieldKind::Struct || e.kind == FieldKind::Union) struct_facts(e, p + "[0]", out);
      }
    } else if (c.size > 0 && c.size <= kCacheLine && !c.is_bitfield() &&
               c.offset / kCacheLine != (c.offset + c.size - 1) / kCacheLine) {
      LayoutFact f{FactKind::StraddlesCacheLine, c.offset, c.size, path, {p}, {}};
      f.text = "'" + p + "' (" + range_text(c.offset, c.size) + ") straddles cache lines " +
               std::to_string(c.offset / kCacheLine) + " and " +
               std::to_string((c.offset + c.size - 1) / kCacheLine) +
               (c.atomic ? ": an atomic split across lines is not lock-free-friendly" : "");
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

std::vector<LayoutFact> layout_facts(const Layout& layout) {
  std::vector<LayoutFact> out;
  struct_facts(layout.root, "", out);
  return out;
}

void FalseSharingFinder::add(const std::vector<DecodedValue>& previous,
                             const std::vector<DecodedValue>& current) {
  // Leaf values by path, in both samples.
  std::map<std::string, const DecodedValue*> before;
  for (const auto& v : previous) {
    if (!v.is_container && v.available) before[v.path] = &v;
  }
  std::set<std::string> changed;
  for (const auto& v : current) {
    if (v.is_container || !v.available) continue;
    const auto it = before.find(v.path);
    if (it == before.end()) continue;
    if (it->second->text != v.text) {
      changed.insert(v.path);
      ranges_[v.path] = {v.offset, v.size};
    }
  }
  ++samples_;
  // Every field that ever changed, grouped by the cache line it starts in.
  std::map<std::uint64_t, std::vector<std::string>> lines;
  for (const auto& [path, range] : ranges_) lines[range.first / kCacheLine].push_back(path);
  for (const auto& [line, paths] : lines) {
    for (std::size_t i = 0; i < paths.size(); ++i) {
      for (std::size_t j = i + 1; j < paths.size(); ++j) {
        const bool a = changed.count(paths[i]) != 0;
        const bool b = changed.count(paths[j]) != 0;
        if (!a && !b) continue;
        auto& counts = pairs_[{paths[i], paths[j]}];
        counts.line = line;
        if (a && b) {
          ++counts.both;
        } else if (a) {
          ++counts.a_alone;
        } else {
          ++counts.b_alone;
        }
      }
    }
  }
}

std::vector<LayoutFact> FalseSharingFinder::findings() const {
  std::vector<LayoutFact> out;
  for (const auto& [pair, c] : pairs_) {
    if (c.a_alone < min_samples_ || c.b_alone < min_samples_) continue;
    const auto& ra = ranges_.at(pair.first);
    const auto& rb = ranges_.at(pair.second);
    LayoutFact f;
    f.kind = FactKind::FalseSharing;
    f.offset = std::min(ra.first, rb.first);
    f.size = std::max(ra.first + ra.second, rb.first + rb.second) - f.offset;
    f.fields = {pair.first, pair.second};
    f.text = "'" + pair.first + "' and '" + pair.second + "' share cache line " +
             std::to_string(c.line) + " but change independently (" + std::to_string(c.a_alone) +
             " and " + std::to_string(c.b_alone) + " samples alone, " + std::to_string(c.both) +
             " together): if two threads or processes write them, that is false sharing; "
             "align one to 64 bytes";
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace shminspect
