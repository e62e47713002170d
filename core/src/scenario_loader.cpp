// Scenario files: strict JSON, every field checked, every problem named with its place
// ("04-seed-faithful-double-send.json: steps[3].at: unknown action kind \"Lokc\"").
#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "shmipc/error.hpp"
#include "shmipc/journal.hpp"
#include "shmipc/scenario.hpp"

#ifndef SHMSCOPE_SCENARIO_DIR
#define SHMSCOPE_SCENARIO_DIR ""
#endif

namespace shmipc {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// "file.json: steps[2].at" for a nested field, "file.json: title" for a top-level one.
std::string field_at(const std::string& where, const std::string& key) {
  return where.ends_with(".json") ? where + ": " + key : where + "." + key;
}

[[noreturn]] void bad(const std::string& where, const std::string& problem) {
  throw Error(ErrorCode::Usage, where + ": " + problem);
}

void only_fields(const json& j, const std::string& where, const std::set<std::string>& allowed) {
  if (!j.is_object()) bad(where, "must be a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!allowed.count(it.key())) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      bad(field_at(where, it.key()), "unknown field (allowed: " + list + ")");
    }
  }
}

std::string get_string(const json& j, const std::string& key, const std::string& where,
                       bool required, const std::string& fallback = {}) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) bad(field_at(where, key), "missing (a string is required)");
    return fallback;
  }
  if (!it->is_string()) bad(field_at(where, key), "must be a string, found " + it->dump());
  return it->get<std::string>();
}

bool get_bool(const json& j, const std::string& key, const std::string& where, bool fallback) {
  auto it = j.find(key);
  if (it == j.end()) return fallback;
  if (!it->is_boolean()) bad(field_at(where, key), "must be true or false, found " + it->dump());
  return it->get<bool>();
}

std::optional<std::int64_t> get_int(const json& j, const std::string& key,
                                    const std::string& where) {
  auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  if (!it->is_number_integer())
    bad(field_at(where, key), "must be an integer, found " + it->dump());
  return it->get<std::int64_t>();
}

PeerMode parse_mode(const std::string& s, const std::string& where) {
  if (s == "reliable") return PeerMode::Reliable;
  if (s == "seed" || s == "seed-faithful") return PeerMode::SeedFaithful;
  bad(where, "mode must be \"reliable\" or \"seed\", found \"" + s + "\"");
}

const std::set<std::string> kActorActions{"join",    "ack",           "send",
                                          "command", "receive",       "serve",
                                          "leave",   "torn_write",    "write_without_mutex",
                                          "recover", "latency_probe", "set_mode",
                                          "await"};
const std::set<std::string> kRunnerActions{"kill", "run_until", "step_mode", "detach", "attach"};

void check_kind_name(const std::string& name, const std::string& where) {
  if (!journal_kind_from_name(name)) bad(where, "unknown action kind \"" + name + "\"");
}

ScenarioInstruction parse_step(const json& j, const std::string& where,
                               const std::set<std::string>& actor_names) {
  only_fields(j, where,
              {"do", "actor", "text", "command", "at", "id", "expect_error", "figure", "mode",
               "wait", "on", "count", "note"});
  ScenarioInstruction s;
  s.where = where;
  s.action = get_string(j, "do", where, true);
  s.actor = get_string(j, "actor", where, false);
  s.text = get_string(j, "text", where, false);
  s.command = get_string(j, "command", where, false);
  s.at = get_string(j, "at", where, false);
  s.id = get_string(j, "id", where, false);
  s.expect_error = get_string(j, "expect_error", where, false);
  s.figure = get_string(j, "figure", where, false);
  s.mode = get_string(j, "mode", where, false);
  s.wait = get_bool(j, "wait", where, true);
  s.on = get_bool(j, "on", where, true);
  if (auto c = get_int(j, "count", where)) {
    if (*c < 1 || *c > 1000) bad(where + ".count", "must be 1..1000");
    s.count = static_cast<int>(*c);
  }
  const bool actor_action = kActorActions.count(s.action) != 0;
  if (!actor_action && !kRunnerActions.count(s.action))
    bad(where + ".do", "unknown action \"" + s.action + "\" (see docs/SCENARIOS.md)");
  const bool needs_actor = actor_action || s.action == "kill" || s.action == "run_until";
  if (needs_actor && s.actor.empty())
    bad(where + ".actor", "missing: \"" + s.action + "\" needs an actor");
  if (!s.actor.empty() && !actor_names.count(s.actor))
    bad(where + ".actor", "\"" + s.actor + "\" is not one of the scenario's actors");
  if ((s.action == "send" || s.action == "torn_write" || s.action == "write_without_mutex") &&
      !j.contains("text"))
    bad(where + ".text", "missing: \"" + s.action + "\" needs the text to write");
  if (s.text.size() > kDataCapacity && s.action != "send")
    bad(where + ".text", "longer than the block's 1000 bytes");
  if (s.action == "command" && s.command != "KILL_APP" && s.command != "PING")
    bad(where + ".command", "must be \"KILL_APP\" or \"PING\"");
  if (s.action == "run_until" && s.at.empty())
    bad(where + ".at", "missing: the action kind to run to");
  if (!s.at.empty()) check_kind_name(s.at, where + ".at");
  if (s.action == "set_mode") parse_mode(s.mode, where + ".mode");
  if (!s.expect_error.empty()) {
    bool known = false;
    for (int c = 2; c <= 12; ++c) known = known || error_code_name(c) == s.expect_error;
    if (!known) bad(where + ".expect_error", "unknown error \"" + s.expect_error + "\"");
  }
  return s;
}

ScenarioCheck parse_check(const json& j, const std::string& where) {
  only_fields(j, where,
              {"check", "id", "field", "actor", "kind", "figure", "state", "equals", "min", "max"});
  ScenarioCheck c;
  c.where = where;
  c.check = get_string(j, "check", where, true);
  c.id = get_string(j, "id", where, false);
  c.field = get_string(j, "field", where, false);
  c.actor = get_string(j, "actor", where, false);
  c.kind = get_string(j, "kind", where, false);
  c.figure = get_string(j, "figure", where, false);
  c.state = get_string(j, "state", where, false);
  if (j.contains("equals")) c.equals_json = j.at("equals").dump();
  c.min = get_int(j, "min", where);
  c.max = get_int(j, "max", where);
  if (c.check == "result") {
    if (c.id.empty()) bad(where + ".id", "missing: which step's result to check");
    if (c.field.empty()) bad(where + ".field", "missing: which field of the result");
    if (!c.equals_json && !c.min && !c.max) bad(where, "a result check needs equals, min or max");
  } else if (c.check == "journal") {
    if (c.kind.empty()) bad(where + ".kind", "missing: which JournalKind to count");
    check_kind_name(c.kind, where + ".kind");
    if (!c.min && !c.max) c.min = 1;
  } else if (c.check == "segment") {
    if (c.state != "removed" && c.state != "exists")
      bad(where + ".state", "must be \"removed\" or \"exists\"");
  } else if (c.check == "figure") {
    if (c.figure.empty()) bad(where + ".figure", "missing: which measured figure");
  } else if (c.check == "exit") {
    if (c.actor.empty()) bad(where + ".actor", "missing: whose exit");
  } else {
    bad(where + ".check",
        "unknown check \"" + c.check + "\" (result, journal, segment, figure, exit)");
  }
  return c;
}

std::string exe_dir() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  buf[n] = '\0';
  return fs::path(buf).parent_path().string();
}

}  // namespace

std::string ScenarioCheck::describe() const {
  if (check == "result") {
    std::string s = id + "." + field;
    if (equals_json) s += " is " + *equals_json;
    if (min) s += " >= " + std::to_string(*min);
    if (max) s += " <= " + std::to_string(*max);
    return s;
  }
  if (check == "journal") {
    if (max && *max == 0) return "the journal has no " + kind;
    std::string s = "the journal has " + kind;
    if (min && *min > 1) s += " at least " + std::to_string(*min) + " times";
    if (max) s += " at most " + std::to_string(*max) + " times";
    return s;
  }
  if (check == "segment") return "the segment is " + state;
  if (check == "figure") return "measured " + figure;
  if (check == "exit") {
    return actor + " exited" + (min ? " with code " + std::to_string(*min) : std::string());
  }
  return check;
}

std::optional<JournalKind> journal_kind_from_name(const std::string& name) {
  for (std::uint16_t k = 1; k <= static_cast<std::uint16_t>(kLastJournalKind); ++k) {
    if (journal_kind_name(static_cast<JournalKind>(k)) == name) return static_cast<JournalKind>(k);
  }
  return std::nullopt;
}

std::string error_code_name(int code) {
  switch (static_cast<ErrorCode>(code)) {
    case ErrorCode::Usage:
      return "Usage";
    case ErrorCode::InvalidName:
      return "InvalidName";
    case ErrorCode::SessionFull:
      return "SessionFull";
    case ErrorCode::RoleTaken:
      return "RoleTaken";
    case ErrorCode::NotFound:
      return "NotFound";
    case ErrorCode::Untrusted:
      return "Untrusted";
    case ErrorCode::Corrupt:
      return "Corrupt";
    case ErrorCode::MessageTooLarge:
      return "MessageTooLarge";
    case ErrorCode::Timeout:
      return "Timeout";
    case ErrorCode::PeerGone:
      return "PeerGone";
    case ErrorCode::System:
      return "System";
  }
  return "Internal";
}

Scenario parse_scenario(const std::string& text, const std::string& file) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    // parse_error, and out_of_range for a number too large for a double (found by fuzzing).
    bad(file, std::string("not valid JSON: ") + e.what());
  }
  only_fields(
      j, file,
      {"name", "number", "title", "goal", "expected", "step_mode", "actors", "steps", "checks"});
  Scenario s;
  s.file = file;
  s.name = get_string(j, "name", file, true);
  if (s.name.empty()) bad(file + ": name", "must not be empty");
  s.number = static_cast<int>(get_int(j, "number", file).value_or(0));
  s.title = get_string(j, "title", file, true);
  s.goal = get_string(j, "goal", file, true);
  s.expected = get_string(j, "expected", file, true);
  s.step_mode = get_bool(j, "step_mode", file, true);

  if (!j.contains("actors") || !j["actors"].is_array() || j["actors"].empty())
    bad(file + ": actors", "missing: a non-empty array of actors is required");
  std::set<std::string> names;
  for (std::size_t i = 0; i < j["actors"].size(); ++i) {
    const std::string where = file + ": actors[" + std::to_string(i) + "]";
    const json& a = j["actors"][i];
    only_fields(a, where, {"name", "join", "mode"});
    ScenarioActor actor;
    actor.name = get_string(a, "name", where, true);
    actor.join = get_string(a, "join", where, false, "any");
    if (actor.join != "any" && actor.join != "parent" && actor.join != "child" &&
        actor.join != "tool")
      bad(where + ".join", "must be any, parent, child or tool, found \"" + actor.join + "\"");
    actor.mode = parse_mode(get_string(a, "mode", where, false, "reliable"), where + ".mode");
    if (actor.name.empty() || actor.name == "runner")
      bad(where + ".name", "must name the actor (not \"runner\")");
    if (!names.insert(actor.name).second)
      bad(where + ".name", "\"" + actor.name + "\" appears twice");
    s.actors.push_back(actor);
  }
  if (!j.contains("steps") || !j["steps"].is_array() || j["steps"].empty())
    bad(file + ": steps", "missing: a non-empty array of steps is required");
  for (std::size_t i = 0; i < j["steps"].size(); ++i)
    s.steps.push_back(
        parse_step(j["steps"][i], file + ": steps[" + std::to_string(i) + "]", names));
  if (j.contains("checks")) {
    if (!j["checks"].is_array()) bad(file + ": checks", "must be an array");
    for (std::size_t i = 0; i < j["checks"].size(); ++i)
      s.checks.push_back(parse_check(j["checks"][i], file + ": checks[" + std::to_string(i) + "]"));
  }
  if (s.checks.empty()) bad(file + ": checks", "missing: a scenario must check its outcome");
  return s;
}

Scenario load_scenario_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorCode::NotFound, path + ": cannot open the scenario file");
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_scenario(buf.str(), fs::path(path).filename().string());
}

std::vector<std::string> scenario_search_dirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("SHMSCOPE_SCENARIOS")) {
    std::stringstream ss(env);
    std::string d;
    while (std::getline(ss, d, ':'))
      if (!d.empty()) dirs.push_back(d);
  }
  if (auto e = exe_dir(); !e.empty()) {
    dirs.push_back(e + "/scenarios");
    dirs.push_back(e + "/../share/shmscope/scenarios");  // an installed tree (cmake --install, .deb)
  }
  if (std::string(SHMSCOPE_SCENARIO_DIR).size() > 0) dirs.push_back(SHMSCOPE_SCENARIO_DIR);
  return dirs;
}

std::vector<Scenario> list_scenarios() {
  for (const std::string& dir : scenario_search_dirs()) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.path().extension() == ".json") files.push_back(entry.path().string());
    if (files.empty()) continue;
    std::sort(files.begin(), files.end());
    std::vector<Scenario> out;
    for (const auto& f : files) out.push_back(load_scenario_file(f));
    std::stable_sort(out.begin(), out.end(),
                     [](const Scenario& a, const Scenario& b) { return a.number < b.number; });
    return out;
  }
  return {};
}

Scenario find_scenario(const std::string& name) {
  if (name.find('/') != std::string::npos || (name.size() > 5 && name.ends_with(".json")))
    return load_scenario_file(name);
  std::string known;
  for (Scenario& s : list_scenarios()) {
    const std::string stem = fs::path(s.file).stem().string();
    if (s.name == name || stem == name || std::to_string(s.number) == name) return s;
    known += (known.empty() ? "" : ", ") + s.name;
  }
  std::string dirs;
  for (const auto& d : scenario_search_dirs()) dirs += (dirs.empty() ? "" : ", ") + d;
  throw Error(ErrorCode::NotFound, "no scenario named \"" + name +
                                       "\" (known: " + (known.empty() ? "none" : known) +
                                       "; searched " + dirs + ")");
}

}  // namespace shmipc
