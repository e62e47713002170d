// An ELF file opened for its DWARF (libdw), with the type index the layout reader searches.
#pragma once

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <libelf.h>

#include <map>
#include <string>
#include <vector>

namespace shminspect {

class DwarfFile {
 public:
  // Opens `path` read-only; when it has no DWARF, its separate debug file (build-id under
  // /usr/lib/debug, or .gnu_debuglink beside it). Throws InspectError (BadElf, Unsupported,
  // NotFound, Permission).
  DwarfFile(const std::string& path, bool find_separate_debug);
  ~DwarfFile();
  DwarfFile(const DwarfFile&) = delete;
  DwarfFile& operator=(const DwarfFile&) = delete;

  // Qualified name -> every complete definition (struct, class, union; typedefs of them).
  const std::map<std::string, std::vector<Dwarf_Die>>& types() const { return types_; }
  // The qualified name of a named type DIE (struct, union, enum, typedef), or its plain name.
  std::string qualified_name(Dwarf_Die* die) const;
  const std::string& build_id() const { return build_id_; }
  const std::string& debug_path() const { return debug_path_; }  // the file DWARF came from

 private:
  struct Opened {
    int fd = -1;
    Elf* elf = nullptr;
  };
  static Opened open_elf(const std::string& path);
  void close_all();
  void open_relocatable(const std::string& path);
  void index_units();
  void index_units_of(Dwarf* dwarf);
  void index_children(Dwarf_Die* parent, const std::string& prefix, int depth);

  Opened main_, debug_;
  Dwarf* dwarf_ = nullptr;
  Dwfl* dwfl_ = nullptr;  // object files only: libdwfl applies their relocations (owns dwarf_)
  std::string build_id_;
  std::string debug_path_;
  std::map<std::string, std::vector<Dwarf_Die>> types_;
  // Keyed by (file, offset): a dwz common file's offsets overlap the main file's.
  std::map<std::pair<const Dwarf*, Dwarf_Off>, std::string> qualified_;
  static std::pair<const Dwarf*, Dwarf_Off> key_of(Dwarf_Die* die) {
    return {dwarf_cu_getdwarf(die->cu), dwarf_dieoffset(die)};
  }
  std::size_t dies_seen_ = 0;
};

// "Unsupported" when a debug section is compressed with a scheme libdw 0.188 cannot read.
void check_debug_compression(Elf* elf, const std::string& path);

}  // namespace shminspect
