// A small command-line parser: each subcommand takes the options it knows, and finish()
// refuses whatever is left, so a typo is an error (exit code 2) instead of being ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shmcli {

class Arguments {
 public:
  explicit Arguments(std::vector<std::string> words) : words_(std::move(words)) {}

  // `--name` present (consumed).
  bool flag(std::string_view name);
  // `--name VALUE` or `--name=VALUE`; the last one wins. Throws Usage if VALUE is missing.
  std::optional<std::string> value(std::string_view name);
  // Every `--name VALUE`, in command-line order.
  std::vector<std::string> values(std::string_view name);

  std::string session();  // --session NAME, default KBuildDevelop, validated
  std::optional<std::uint64_t> count(std::string_view name);  // a positive integer
  std::optional<double> seconds(std::string_view name);       // a number >= 0

  // Throws Error(Usage) naming the first word nobody consumed.
  void finish() const;

 private:
  std::vector<std::string> words_;
  std::vector<bool> used_ = std::vector<bool>(words_.size(), false);
};

std::uint64_t parse_count(std::string_view option, const std::string& text);
double parse_seconds(std::string_view option, const std::string& text);

}  // namespace shmcli
