// Reading YAML scalars of a layout file strictly: each problem is an InspectError(BadLayout)
// naming the file, line and column.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <string>

namespace shminspect {

class YamlChecker {
 public:
  explicit YamlChecker(std::string file_name) : name_(std::move(file_name)) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& problem) const;
  // Refuses a key of `map` that is not in `allowed`, listing the allowed ones.
  void check_keys(const YAML::Node& map, std::initializer_list<const char*> allowed) const;
  std::uint64_t number(const YAML::Node& node, const std::string& what) const;  // 0..1 TiB
  std::int64_t signed_number(const YAML::Node& node, const std::string& what) const;
  bool boolean(const YAML::Node& node, const std::string& what) const;
  std::string text(const YAML::Node& node, const std::string& what) const;  // valid UTF-8
  std::string identifier(const YAML::Node& node, const std::string& what) const;  // [A-Za-z0-9_]

 private:
  std::string name_;
};

}  // namespace shminspect
