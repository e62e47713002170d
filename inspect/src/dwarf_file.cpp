// Opening an ELF for its DWARF. libdw is used directly (not libdwfl): it never consults
// debuginfod, so no network access can happen whatever DEBUGINFOD_URLS says.
#include "dwarf_file.hpp"

#include <dwarf.h>
#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <gelf.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "shminspect/error.hpp"

namespace shminspect {
namespace {

constexpr unsigned kCompressZstd = 2;  // ELFCOMPRESS_ZSTD (newer elf.h); 0.188 cannot read it
constexpr int kMaxNesting = 64;        // namespaces/classes: a bound against hostile DWARF
constexpr std::size_t kMaxDies = 20'000'000;

std::string hex(const void* data, std::size_t n) {
  std::string out;
  char buf[3];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", static_cast<const unsigned char*>(data)[i]);
    out += buf;
  }
  return out;
}

// libelf/libdw error texts are NULL when there is no error to report.
std::string text_or(const char* message) { return message ? message : "no details"; }

bool has_dwarf_sections(Elf* elf) {
  std::size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0) return false;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr) continue;
    const char* name = elf_strptr(elf, shstrndx, shdr.sh_name);
    if (name == nullptr || shdr.sh_type == SHT_NOBITS) continue;
    if (std::strcmp(name, ".debug_info") == 0 || std::strcmp(name, ".zdebug_info") == 0) return true;
  }
  return false;
}

bool is_type_tag(int tag) {
  return tag == DW_TAG_structure_type || tag == DW_TAG_class_type || tag == DW_TAG_union_type;
}

}  // namespace

void check_debug_compression(Elf* elf, const std::string& path) {
  std::size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0) return;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr || (shdr.sh_flags & SHF_COMPRESSED) == 0) continue;
    if (shdr.sh_type == SHT_NOBITS) continue;
    Elf_Data* raw = elf_rawdata(scn, nullptr);
    if (raw == nullptr || raw->d_buf == nullptr) continue;
    unsigned type = 0;
    if (gelf_getclass(elf) == ELFCLASS64) {
      if (raw->d_size < sizeof(Elf64_Chdr)) continue;
      Elf64_Chdr chdr;
      std::memcpy(&chdr, raw->d_buf, sizeof chdr);
      type = chdr.ch_type;
    } else {
      if (raw->d_size < sizeof(Elf32_Chdr)) continue;
      Elf32_Chdr chdr;
      std::memcpy(&chdr, raw->d_buf, sizeof chdr);
      type = chdr.ch_type;
    }
    if (type == ELFCOMPRESS_ZLIB) continue;
    const char* name = elf_strptr(elf, shstrndx, shdr.sh_name);
    throw InspectError(
        ErrorKind::Unsupported,
        path + ": section " + (name ? name : "?") + " is compressed with " +
            (type == kCompressZstd ? std::string("zstd")
                                   : "unknown scheme " + std::to_string(type)) +
            ", which elfutils 0.188 (libdw) cannot read; decompress it first "
            "(objcopy --decompress-debug-sections) or rebuild with -gz=zlib");
  }
}

DwarfFile::Opened DwarfFile::open_elf(const std::string& path) {
  Opened o;
  o.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (o.fd < 0) {
    const int err = errno;
    throw InspectError(err == ENOENT ? ErrorKind::NotFound
                       : (err == EACCES || err == EPERM) ? ErrorKind::Permission
                                                         : ErrorKind::System,
                       path + ": " + std::strerror(err));
  }
  elf_version(EV_CURRENT);
  o.elf = elf_begin(o.fd, ELF_C_READ, nullptr);
  if (o.elf == nullptr || elf_kind(o.elf) != ELF_K_ELF) {
    const std::string why = o.elf == nullptr ? text_or(elf_errmsg(-1)) : "not an ELF file";
    if (o.elf) elf_end(o.elf);
    ::close(o.fd);
    throw InspectError(ErrorKind::BadElf, path + ": " + why);
  }
  std::size_t shstrndx = 0;
  if (elf_getshdrstrndx(o.elf, &shstrndx) != 0) {
    const std::string why = text_or(elf_errmsg(-1));
    elf_end(o.elf);
    ::close(o.fd);
    throw InspectError(ErrorKind::BadElf, path + ": unreadable section headers (" + why + ")");
  }
  return o;
}

DwarfFile::DwarfFile(const std::string& path, bool find_separate_debug) {
  main_ = open_elf(path);
  try {
    const void* id = nullptr;
    const ssize_t n = dwelf_elf_gnu_build_id(main_.elf, &id);
    if (n > 0 && id != nullptr) build_id_ = hex(id, static_cast<std::size_t>(n));

    Elf* source = main_.elf;
    debug_path_ = path;
    if (!has_dwarf_sections(main_.elf) && find_separate_debug) {
      std::vector<std::string> candidates;
      if (build_id_.size() > 2) {
        candidates.push_back("/usr/lib/debug/.build-id/" + build_id_.substr(0, 2) + "/" +
                             build_id_.substr(2) + ".debug");
      }
      GElf_Word crc = 0;
      if (const char* link = dwelf_elf_gnu_debuglink(main_.elf, &crc)) {
        const auto slash = path.rfind('/');
        const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
        if (std::strchr(link, '/') == nullptr) {
          candidates.push_back(dir + "/" + link);
          candidates.push_back(dir + "/.debug/" + link);
          candidates.push_back("/usr/lib/debug" + (dir.front() == '/' ? dir : "/" + dir) + "/" + link);
        }
      }
      for (const auto& c : candidates) {
        if (::access(c.c_str(), R_OK) != 0) continue;
        try {
          Opened d = open_elf(c);
          if (has_dwarf_sections(d.elf)) {
            debug_ = d;
            source = d.elf;
            debug_path_ = c;
            break;
          }
          elf_end(d.elf);
          ::close(d.fd);
        } catch (const InspectError&) {
        }
      }
    }
    if (!has_dwarf_sections(source)) {
      throw InspectError(ErrorKind::BadElf,
                         path + ": no DWARF debug info (build with -g, or install its separate "
                                "debug file; build-id " +
                             (build_id_.empty() ? std::string("none") : build_id_) + ")");
    }
    check_debug_compression(source, debug_path_);
    GElf_Ehdr ehdr;
    if (source == main_.elf && gelf_getehdr(source, &ehdr) != nullptr && ehdr.e_type == ET_REL) {
      open_relocatable(path);
    } else {
      dwarf_ = dwarf_begin_elf(source, DWARF_C_READ, nullptr);
    }
    if (dwarf_ == nullptr) {
      throw InspectError(ErrorKind::BadElf,
                         debug_path_ + ": unreadable DWARF (" + text_or(dwarf_errmsg(-1)) + ")");
    }
    index_units();
  } catch (...) {
    close_all();
    throw;
  }
}

DwarfFile::~DwarfFile() { close_all(); }

void DwarfFile::close_all() {
  if (dwfl_) {
    dwfl_end(dwfl_);  // owns dwarf_
  } else if (dwarf_) {
    dwarf_end(dwarf_);
  }
  dwfl_ = nullptr;
  dwarf_ = nullptr;
  for (Opened* o : {&debug_, &main_}) {
    if (o->elf) elf_end(o->elf);
    if (o->fd >= 0) ::close(o->fd);
    *o = {};
  }
}

std::string DwarfFile::qualified_name(Dwarf_Die* die) const {
  const auto it = qualified_.find(key_of(die));
  if (it != qualified_.end()) return it->second;
  const char* name = dwarf_diename(die);
  return name ? name : "";
}

// An object file's DWARF points into its string and abbreviation sections through relocations
// (RELA on x86-64: the section bytes hold zeros): libdwfl's offline mode applies them. Its
// debug-info search is replaced by one that finds nothing, so debuginfod is never asked.
void DwarfFile::open_relocatable(const std::string& path) {
  static const Dwfl_Callbacks kOffline = {
      nullptr,
      [](Dwfl_Module*, void**, const char*, Dwarf_Addr, const char*, const char*, GElf_Word,
         char**) { return -1; },
      dwfl_offline_section_address,
      nullptr,
  };
  dwfl_ = dwfl_begin(&kOffline);
  if (dwfl_ == nullptr) throw InspectError(ErrorKind::System, path + ": dwfl_begin failed");
  Dwfl_Module* module = dwfl_report_offline(dwfl_, "object", path.c_str(), -1);
  dwfl_report_end(dwfl_, nullptr, nullptr);
  Dwarf_Addr bias = 0;
  if (module != nullptr) dwarf_ = dwfl_module_getdwarf(module, &bias);
  if (dwarf_ == nullptr) {
    throw InspectError(ErrorKind::BadElf, path + ": unreadable DWARF in the object file (" +
                                              text_or(dwfl_errmsg(-1)) + ")");
  }
}

void DwarfFile::index_units() {
  index_units_of(dwarf_);
  // dwz -m moves DIEs shared by several files into a common file (.gnu_debugaltlink): types
  // and the names of enums and typedefs the main file refers to may live only there.
  if (Dwarf* alt = dwarf_getalt(dwarf_)) index_units_of(alt);
}

void DwarfFile::index_units_of(Dwarf* dwarf) {
  Dwarf_CU* cu = nullptr;
  Dwarf_CU* next = nullptr;
  for (;;) {
    Dwarf_Half version = 0;
    uint8_t unit_type = 0;
    Dwarf_Die cudie, subdie;
    const int r = dwarf_get_units(dwarf, cu, &next, &version, &unit_type, &cudie, &subdie);
    if (r != 0) break;  // 1: no more units; -1: the rest is unreadable
    cu = next;
    // A split-DWARF skeleton's types live in its .dwo unit (the sub-DIE).
    Dwarf_Die* root = &cudie;
    if (unit_type == DW_UT_skeleton && dwarf_tag(&subdie) != DW_TAG_invalid) root = &subdie;
    if (dwarf_tag(root) == DW_TAG_invalid) continue;
    index_children(root, "", 0);
  }
}

void DwarfFile::index_children(Dwarf_Die* parent, const std::string& prefix, int depth) {
  if (depth > kMaxNesting) return;
  Dwarf_Die child;
  if (dwarf_child(parent, &child) != 0) return;
  do {
    if (++dies_seen_ > kMaxDies) return;
    const int tag = dwarf_tag(&child);
    const char* raw_name = dwarf_diename(&child);
    const bool declaration = dwarf_hasattr(&child, DW_AT_declaration);
    if (tag == DW_TAG_namespace) {
      const std::string name = raw_name ? raw_name : "(anonymous namespace)";
      index_children(&child, prefix + name + "::", depth + 1);
    } else if (tag == DW_TAG_enumeration_type && raw_name != nullptr) {
      qualified_[key_of(&child)] = prefix + raw_name;
    } else if (is_type_tag(tag) || tag == DW_TAG_typedef) {
      if (raw_name != nullptr) qualified_[key_of(&child)] = prefix + raw_name;
      if (raw_name != nullptr && !declaration) {
        const std::string name = prefix + raw_name;
        if (tag == DW_TAG_typedef) {
          // Only typedefs of structs and unions are types one can inspect.
          Dwarf_Die target;
          if (dwarf_peel_type(&child, &target) == 0 && is_type_tag(dwarf_tag(&target)) &&
              !dwarf_hasattr(&target, DW_AT_declaration)) {
            types_[name].push_back(child);
          }
        } else {
          types_[name].push_back(child);
        }
      }
      if (is_type_tag(tag) && raw_name != nullptr) {
        index_children(&child, prefix + raw_name + "::", depth + 1);
      }
    }
  } while (dwarf_siblingof(&child, &child) == 0);
}

}  // namespace shminspect
