// Finding a type by name in an ELF's DWARF and making its layout (dwarf_type_builder.cpp builds
// the tree).
#include "shminspect/dwarf_layout.hpp"

#include <dwarf.h>
#include <sys/stat.h>

#include <algorithm>
#include <optional>
#include <set>

#include "dwarf_attributes.hpp"
#include "dwarf_file.hpp"
#include "dwarf_type_builder.hpp"
#include "shminspect/error.hpp"
#include "shminspect/layout_file.hpp"
#include "shminspect/watch.hpp"
#include "isolated_call.hpp"

namespace shminspect {
namespace {

// A shallow fingerprint: two definitions of one name that differ here are different types.
std::string signature(Dwarf_Die die) {
  Dwarf_Die peeled;
  if (dwarf_peel_type(&die, &peeled) == 0) die = peeled;
  std::string sig = std::to_string(udata(&die, DW_AT_byte_size).value_or(0));
  Dwarf_Die m;
  if (dwarf_child(&die, &m) == 0) {
    do {
      if (dwarf_tag(&m) != DW_TAG_member) continue;
      const char* name = dwarf_diename(&m);
      sig += std::string(":") + (name ? name : "") + "@" +
             std::to_string(member_location(&m).value_or(0));
    } while (dwarf_siblingof(&m, &m) == 0);
  }
  return sig;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string normalise(std::string name) {
  for (const char* prefix : {"struct ", "class ", "union "}) {
    if (name.rfind(prefix, 0) == 0) name.erase(0, std::string(prefix).size());
  }
  if (name.rfind("::", 0) == 0) name.erase(0, 2);
  return name;
}

Layout load_in_process(const std::string& elf_path, const std::string& wanted_name,
                       const DwarfOptions& options) {
  DwarfFile file(elf_path, options.find_separate_debug);
  const std::string wanted = normalise(wanted_name);
  const auto& types = file.types();
  std::string name = wanted;
  auto it = types.find(wanted);
  if (it == types.end()) {
    std::vector<std::string> suffixed;
    for (const auto& [n, dies] : types) {
      if (n.size() > wanted.size() + 2 && n.compare(n.size() - wanted.size(), wanted.size(), wanted) == 0 &&
          n.compare(n.size() - wanted.size() - 2, 2, "::") == 0) {
        suffixed.push_back(n);
      }
    }
    if (suffixed.size() > 1) {
      throw InspectError(ErrorKind::Ambiguous,
                         "type '" + wanted + "' is ambiguous in " + elf_path + ": " + join(suffixed) +
                             " (give the qualified name)");
    }
    if (suffixed.empty()) {
      std::vector<std::string> all;
      all.reserve(types.size());
      for (const auto& [n, dies] : types) all.push_back(n);
      const auto near = close_matches(wanted, all);
      throw InspectError(ErrorKind::NotFound,
                         "no struct, class or union named '" + wanted + "' in the DWARF of " +
                             file.debug_path() +
                             (near.empty() ? std::string(" (") + std::to_string(all.size()) + " types)"
                                           : "; close matches: " + join(near)));
    }
    name = suffixed.front();
    it = types.find(name);
  }
  std::set<std::string> signatures;
  for (const auto& die : it->second) signatures.insert(signature(die));
  if (signatures.size() > 1) {
    throw InspectError(ErrorKind::Ambiguous,
                       "type '" + name + "' has " + std::to_string(signatures.size()) +
                           " different definitions in " + file.debug_path() +
                           " (different compilation units disagree on its layout)");
  }
  Layout layout;
  layout.type_name = name;
  layout.root = build_type_field(file, it->second.front(), name, 0, options.max_fields);
  layout.root.name = name;
  layout.size = layout.root.size;
  layout.source = "DWARF of " + file.debug_path();
  layout.build_id = file.build_id();
  if (name != wanted) layout.notes.push_back("'" + wanted + "' found as '" + name + "'");
  if (layout.root.kind != FieldKind::Struct && layout.root.kind != FieldKind::Union) {
    throw InspectError(ErrorKind::NotFound, "'" + name + "' is not a struct, class or union");
  }
  if (!layout.root.children.empty() && layout.root.children.back().flexible) {
    layout.notes.push_back("'" + layout.root.children.back().name +
                           "' is a flexible array member: its length comes from the segment's size");
  }
  return layout;
}

std::vector<std::string> list_in_process(const std::string& elf_path, const DwarfOptions& options) {
  DwarfFile file(elf_path, options.find_separate_debug);
  std::vector<std::string> names;
  for (const auto& [n, dies] : file.types()) names.push_back(n);
  return names;
}

IsolationLimits limits_for(const std::string& elf_path, const DwarfOptions& options) {
  IsolationLimits limits;
  limits.timeout = std::chrono::seconds(options.timeout_seconds);
  struct stat st {};
  const std::uint64_t file_size = ::stat(elf_path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  limits.memory_bytes = options.memory_base_bytes + 3 * file_size;
  return limits;
}

}  // namespace

// Isolated, the child sends the layout as a layout file (parsed here by the fuzzed layout-file
// parser, so nothing the child says is trusted more than a user's file), then its provenance.
Layout load_layout_from_dwarf(const std::string& elf_path, const std::string& wanted_name,
                              const DwarfOptions& options) {
  if (!options.isolate) return load_in_process(elf_path, wanted_name, options);
  const auto parts = run_isolated("reading the DWARF of " + elf_path, limits_for(elf_path, options), [&] {
    const Layout layout = load_in_process(elf_path, wanted_name, options);
    std::vector<std::string> out{emit_layout_file(layout), layout.type_name, layout.source, layout.build_id};
    out.insert(out.end(), layout.notes.begin(), layout.notes.end());
    return out;
  });
  if (parts.size() < 4) throw InspectError(ErrorKind::System, "reading the DWARF of " + elf_path + ": malformed reply");
  Layout layout = parse_layout_file(parts[0], "the DWARF reader's reply for " + elf_path);
  layout.type_name = parts[1];
  layout.root.name = parts[1];
  layout.source = parts[2];
  layout.build_id = parts[3];
  layout.notes.assign(parts.begin() + 4, parts.end());
  return layout;
}

std::vector<std::string> list_dwarf_types(const std::string& elf_path, const DwarfOptions& options) {
  if (!options.isolate) return list_in_process(elf_path, options);
  return run_isolated("listing the types in the DWARF of " + elf_path, limits_for(elf_path, options),
                      [&] { return list_in_process(elf_path, options); });
}

std::string elf_build_id(const std::string& elf_path) {
  try {
    DwarfOptions options;
    const auto id = run_isolated("reading the build-id of " + elf_path, limits_for(elf_path, options), [&] {
      DwarfFile file(elf_path, false);
      return std::vector<std::string>{file.build_id()};
    });
    return id.size() == 1 ? id.front() : "";
  } catch (const InspectError&) {
    return "";
  }
}

}  // namespace shminspect
