// Shared by the inspect tests: start inspect_target on a fresh segment, and the values every
// field must have at step k (the same pure function the target uses to write them).
#pragma once

#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <map>
#include <string>

#include "shminspect/shminspect.hpp"
#include "test_process.hpp"

namespace inspect_test {

inline std::string target_path(const std::string& variant = "") {
  return shmtest::binary_path("inspect_target" + variant);
}

inline std::string source_file(const std::string& name) {
  return std::string(SHMINSPECT_TEST_DIR) + "/" + name;
}

// A running inspect_target with its segment; the segment is removed when it ends.
struct Target {
  std::string name;
  shmtest::ChildProcess process;

  Target(const std::string& label, const std::string& mode, const std::string& value,
         const std::string& variant = "")
      : name("shminspect-test." + shmtest::unique_session_name(label)),
        process(shmtest::ChildProcess::spawn({target_path(variant), name, mode, value})) {
    const bool ready = shmtest::eventually(
        [&] { return process.stdout_text().find("ready") != std::string::npos; },
        std::chrono::seconds(20));
    REQUIRE_MESSAGE(ready, "inspect_target did not start: " << process.stderr_text());
  }
  ~Target() {
    process.kill(SIGTERM);
    process.wait_for(std::chrono::seconds(5));
    ::unlink(path().c_str());
  }
  std::string path() const { return "/dev/shm/" + name; }
};

using Values = std::map<std::string, shminspect::DecodedValue>;

inline Values by_path(const std::vector<shminspect::DecodedValue>& values) {
  Values out;
  for (const auto& v : values) out[v.path] = v;
  return out;
}

inline const shminspect::DecodedValue& at(const Values& values, const std::string& path) {
  const auto it = values.find(path);
  if (it == values.end()) FAIL("no field '" << path << "'");
  REQUIRE_MESSAGE(it->second.available, path << " not available");
  return it->second;
}

inline std::int64_t as_int(const Values& values, const std::string& path) {
  const auto& v = at(values, path);
  REQUIRE_MESSAGE(v.as_signed.has_value(), path << " has no integer value: " << v.text);
  return *v.as_signed;
}

inline double as_num(const Values& values, const std::string& path) {
  const auto& v = at(values, path);
  REQUIRE_MESSAGE(v.number.has_value(), path << " has no number: " << v.text);
  return *v.number;
}

// Every field of demo::Sample at step k, as inspect_target writes it.
inline void check_step(const Values& v, std::uint64_t k) {
  const auto sk = static_cast<std::int64_t>(k);
  CHECK(as_int(v, "seq") == 2 * sk);
  CHECK(as_int(v, "temperature") == -20 + sk);
  CHECK(as_int(v, "port") == 1000 + sk);
  CHECK(at(v, "enabled").text == (k % 2 == 1 ? "true" : "false"));
  CHECK(as_int(v, "tag") == 'A' + sk % 26);
  const char* modes[] = {"Idle", "Running", "Error"};
  CHECK(at(v, "mode").enumerator == modes[k % 3]);
  CHECK(at(v, "level").enumerator == (k % 2 ? "kHigh" : "kLow"));
  CHECK(as_int(v, "level") == (k % 2 ? 7 : -1));
  CHECK(at(v, "name").text == "\"step-" + std::to_string(k) + "\"");
  CHECK(at(v, "name").text_is_utf8);
  // uint8_t: the writer stores (k + i) mod 256, past step 255 too (a slow ASan run gets there).
  for (int i = 0; i < 3; ++i) CHECK(as_int(v, "raw[" + std::to_string(i) + "]") == ((sk + i) & 0xFF));
  CHECK(as_int(v, "raw[3]") == 255);
  CHECK(as_num(v, "pos.x") == static_cast<float>(k) * 0.5f);
  CHECK(as_num(v, "pos.y") == -static_cast<double>(k) * 0.25);
  for (int i = 0; i < 3; ++i) {
    CHECK(as_num(v, "path[" + std::to_string(i) + "].x") == static_cast<float>(i + k));
    CHECK(as_num(v, "path[" + std::to_string(i) + "].y") == static_cast<double>(i * k));
  }
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 3; ++c) {
      CHECK(as_int(v, "grid[" + std::to_string(r) + "][" + std::to_string(c) + "]") == r * 10 + c + sk);
    }
  }
  const std::uint32_t word = k % 2 == 0 ? 0x40490fdbu : static_cast<std::uint32_t>(k);
  CHECK(as_int(v, "word.u") == word);
  if (k % 2 == 0) CHECK(at(v, "word.f").text.rfind("3.14159", 0) == 0);
  CHECK(as_int(v, "word.bytes[0]") == (word & 0xff));
  CHECK(as_int(v, "flags.ready") == (sk & 1));
  CHECK(as_int(v, "flags.count") == sk % 32);
  CHECK(as_int(v, "flags.delta") == sk % 16 - 8);
  CHECK(at(v, "flags.mode").enumerator == modes[k % 3]);
  CHECK(at(v, "flags.on").text == (k % 2 == 0 ? "true" : "false"));
  CHECK(as_int(v, "counter") == 3 * sk);
  CHECK(at(v, "counter").field->atomic);
  CHECK(at(v, "alive").text == "true");
  CHECK(at(v, "alive").field->atomic);
  CHECK(as_num(v, "gauge") == static_cast<double>(k) / 4.0);
  CHECK(at(v, "gauge").field->atomic);
  CHECK(*at(v, "last").as_unsigned == 0x1000 + k);
  CHECK(at(v, "last").field->atomic);
  CHECK(*at(v, "label").as_unsigned == 0x4000 + k);
  CHECK(at(v, "label").field->kind == shminspect::FieldKind::Pointer);
  CHECK(as_num(v, "ratio") == 1.0 / static_cast<double>(k + 1));
  CHECK(as_int(v, "writer_a") == (sk + 1) / 2);
  CHECK(as_int(v, "writer_b") == sk / 2);
}

}  // namespace inspect_test
