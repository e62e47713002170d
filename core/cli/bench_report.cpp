#include "bench_report.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "shmipc/adaptive_spin.hpp"

namespace shmcli::bench {

namespace {

std::string first_line_of(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown";
}

std::string kernel() {
  utsname u{};
  if (::uname(&u) != 0) return "unknown";
  return std::string(u.sysname) + " " + u.release;
}

double load_average() {
  double one = 0;
  std::istringstream(first_line_of("/proc/loadavg")) >> one;
  return one;
}

std::string spin_policy_text() {
  const shmipc::SpinPolicy p = shmipc::spin_policy();
  const char* mode = p.mode == shmipc::SpinMode::Off      ? "off"
                     : p.mode == shmipc::SpinMode::Always ? "always"
                                                          : "adaptive";
  return std::string(mode) + ", " + std::to_string(p.budget_ns / 1000) + " us budget";
}

const Row* find(const std::vector<Row>& rows, std::string_view mechanism, Placement p,
                std::size_t bytes) {
  for (const Row& r : rows)
    if (r.mechanism == mechanism && r.placement == p && r.bytes == bytes) return &r;
  return nullptr;
}

std::string ratio(const Row& r, const Row* base) {
  if (base == nullptr || base->median_us <= 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", r.median_us / base->median_us);
  return buf;
}

}  // namespace

std::string_view floor_mechanism(Placement p) noexcept {
  return p == Placement::SameCpu ? "futex" : "futex-spin";
}

std::string machine_description() {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%ld CPUs (%s), %s, load average %.2f, clocksource %s, spin %s",
                ::sysconf(_SC_NPROCESSORS_ONLN), cpu_model().c_str(), kernel().c_str(),
                load_average(),
                first_line_of("/sys/devices/system/clocksource/clocksource0/current_clocksource")
                    .c_str(),
                spin_policy_text().c_str());
  return buf;
}

void print_tables(const std::vector<Row>& rows, const std::vector<Placement>& placements) {
  for (Placement p : placements) {
    std::printf("\n### %s (x floor: against %s)\n\n", std::string(placement_name(p)).c_str(),
                std::string(floor_mechanism(p)).c_str());
    std::printf(
        "| mechanism | bytes | messages | median (us) | p99 (us) | max (us) | messages/s | x floor "
        "| x pipe |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const Row& r : rows) {
      if (r.placement != p) continue;
      const Row* floor = find(rows, floor_mechanism(p), p, r.bytes);
      const Row* pipe = find(rows, "pipe", p, r.bytes);
      std::printf("| %s | %zu | %zu | %.1f | %.1f | %.1f | %.0f | %s | %s |\n",
                  r.mechanism.c_str(), r.bytes, r.messages, r.median_us, r.p99_us, r.max_us,
                  r.per_second, ratio(r, floor).c_str(), ratio(r, pipe).c_str());
    }
  }
  std::fflush(stdout);
}

void print_journal_cost(const std::vector<JournalCost>& costs) {
  if (costs.empty()) return;
  std::printf(
      "\n### journal on / off (shmipc-reliable, same run; off is a bench-only switch)\n\n"
      "| placement | bytes | median on (us) | median off (us) | on / off |\n"
      "|---|---:|---:|---:|---:|\n");
  for (const JournalCost& c : costs)
    std::printf("| %s | %zu | %.1f | %.1f | %.2f |\n", std::string(placement_name(c.placement)).c_str(),
                c.bytes, c.on_median_us, c.off_median_us,
                c.off_median_us > 0 ? c.on_median_us / c.off_median_us : 0.0);
  std::fflush(stdout);
}

void print_stream(const StreamResult& s) {
  if (s.file_bytes == 0) return;
  std::printf(
      "\n### a file of %llu random bytes, unpinned (shmipc delivered it %s)\n\n"
      "| stream | MB/s |\n|---|---:|\n"
      "| shmipc (child --send-file, parent --out): 1000-byte messages, each with its receipt | "
      "%.1f |\n"
      "| pipe pair: the same 1000-byte chunks, each with a 1-byte receipt | %.1f |\n"
      "| one pipe, 64 KiB writes, no receipts (as cat does) | %.1f |\n",
      static_cast<unsigned long long>(s.file_bytes),
      s.identical ? "byte-identical" : "DIFFERENT: a bug", s.shmipc_mb_s, s.pipe_chunked_mb_s,
      s.pipe_mb_s);
  std::fflush(stdout);
}

void print_json(const std::vector<Row>& rows) {
  nlohmann::json machine = {
      {"cpus", ::sysconf(_SC_NPROCESSORS_ONLN)},
      {"model", cpu_model()},
      {"kernel", kernel()},
      {"load_average", load_average()},
      {"clocksource",
       first_line_of("/sys/devices/system/clocksource/clocksource0/current_clocksource")},
      {"spin", spin_policy_text()},
  };
  nlohmann::json out_rows = nlohmann::json::array();
  for (const Row& r : rows) {
    out_rows.push_back({{"mechanism", r.mechanism},
                        {"placement", std::string(placement_name(r.placement))},
                        {"bytes", r.bytes},
                        {"messages", r.messages},
                        {"median_us", r.median_us},
                        {"p99_us", r.p99_us},
                        {"max_us", r.max_us},
                        {"per_second", r.per_second}});
  }
  const nlohmann::json doc = {{"machine", machine}, {"rows", out_rows}};
  std::printf("%s\n", doc.dump(2).c_str());
  std::fflush(stdout);
}

}  // namespace shmcli::bench
