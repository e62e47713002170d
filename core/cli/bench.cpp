// `shmipc bench`: the referee. In one run, for each placement (unpinned, both on one CPU, on
// two CPUs) and each message size, the same exchange (a message of N bytes one way, a receipt
// back, timed by the sender) through shmipc and through every classic alternative and raw
// floor; then what the journal costs, and a file streamed through the block. It asserts
// nothing: it prints tables (or one JSON object with --json) whose ratios are the result.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_report.hpp"
#include "bench_rows.hpp"
#include "bench_stream.hpp"
#include "commands.hpp"
#include "shmipc/block.hpp"
#include "shmipc/error.hpp"

namespace shmcli {

namespace {

using namespace bench;

std::vector<std::size_t> parse_sizes(const std::string& text) {
  std::vector<std::size_t> sizes;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string part = text.substr(start, comma == std::string::npos ? comma : comma - start);
    const auto v = parse_count("sizes", part);
    if (v > shmipc::kDataCapacity)
      throw shmipc::Error(shmipc::ErrorCode::Usage,
                          "--sizes: " + part + " exceeds the message capacity of 1000 bytes");
    sizes.push_back(static_cast<std::size_t>(v));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return sizes;
}

std::vector<Placement> parse_placements(const std::string& text) {
  std::vector<Placement> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string part = text.substr(start, comma == std::string::npos ? comma : comma - start);
    if (part == "unpinned") out.push_back(Placement::Unpinned);
    else if (part == "same-cpu") out.push_back(Placement::SameCpu);
    else if (part == "two-cpus") out.push_back(Placement::TwoCpus);
    else
      throw shmipc::Error(shmipc::ErrorCode::Usage,
                          "--placements: '" + part + "' is not unpinned, same-cpu or two-cpus");
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

struct Plan {
  std::size_t messages = 10000;
  std::size_t seed_messages = 200;
  std::vector<std::size_t> sizes{16, 100, 1000};
  std::vector<Placement> placements{Placement::Unpinned, Placement::SameCpu, Placement::TwoCpus};
  std::uint64_t stream_bytes = 4u << 20;
  bool journal_cost = true;
  bool json = false;
  std::vector<std::string> only;  // --mechanisms: these rows only (profiling one of them)

  bool wants(const char* mechanism) const {
    return only.empty() || std::find(only.begin(), only.end(), mechanism) != only.end();
  }
};

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    out.push_back(text.substr(start, comma == std::string::npos ? comma : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

constexpr const char* kMechanisms[] = {"shmipc-reliable", "shmipc-observed", "seed-faithful",
                                       "pipe",            "socketpair",      "boost-condition",
                                       "futex",           "futex-spin",      "busy-spin"};

class SessionNames {
 public:
  std::string next() { return "bench-" + std::to_string(::getpid()) + "-" + std::to_string(n_++); }

 private:
  int n_ = 0;
};

// Every mechanism for one placement and size, interleaved so that a burst of load on this
// shared machine hits one size's rows alike rather than one mechanism.
void run_size(const Plan& plan, const CpuPlan& cpus, Placement placement, std::size_t bytes,
              SessionNames& names, std::vector<Row>& rows, std::vector<JournalCost>& costs) {
  RowSpec spec;
  spec.placement = placement;
  spec.bytes = bytes;
  spec.messages = plan.messages;
  spec.sender_cpu = cpus.sender_cpu(placement);
  spec.echo_cpu = cpus.echo_cpu(placement);
  spec.cpus = &cpus;
  PinnedForRow pinned(cpus, spec.sender_cpu);

  if (plan.wants("futex")) rows.push_back(bench_futex(FutexKind::BlockAtOnce, spec));
  if (plan.wants("futex-spin")) rows.push_back(bench_futex(FutexKind::AdaptiveSpin, spec));
  if (placement == Placement::TwoCpus && plan.wants("busy-spin"))
    rows.push_back(bench_futex(FutexKind::BusySpin, spec));
  if (plan.wants("shmipc-reliable")) {
    rows.push_back(bench_shmipc(ShmipcKind::Reliable, spec, names.next()));
    if (plan.journal_cost && !plan.json) {
      const Row off = bench_shmipc(ShmipcKind::Reliable, spec, names.next(), false);
      costs.push_back({placement, bytes, rows.back().median_us, off.median_us});
    }
  }
  if (plan.wants("shmipc-observed"))
    rows.push_back(bench_shmipc(ShmipcKind::Observed, spec, names.next()));
  if (plan.wants("seed-faithful")) {
    RowSpec seed = spec;
    seed.messages = plan.seed_messages;
    rows.push_back(bench_shmipc(ShmipcKind::SeedFaithful, seed, names.next()));
  }
  if (plan.wants("pipe")) rows.push_back(bench_pipe(spec));
  if (plan.wants("socketpair")) rows.push_back(bench_socketpair(spec));
  if (plan.wants("boost-condition")) rows.push_back(bench_boost_condition(spec));
}

}  // namespace

int run_bench(Arguments& args) {
  Plan plan;
  plan.messages = args.count("messages").value_or(10000);
  // The article's polling costs ~20 ms a message: a fiftieth as many keeps a quick run quick.
  plan.seed_messages =
      args.count("seed-messages").value_or(std::max<std::size_t>(20, std::min<std::size_t>(200, plan.messages / 50)));
  if (const auto s = args.value("sizes")) plan.sizes = parse_sizes(*s);
  if (const auto p = args.value("placements")) plan.placements = parse_placements(*p);
  if (args.flag("same-cpu")) plan.placements = {Placement::SameCpu};  // the old flag
  if (const auto b = args.value("stream-bytes")) plan.stream_bytes = b == "0" ? 0 : parse_count("stream-bytes", *b);
  plan.journal_cost = !args.flag("no-journal-cost");
  plan.json = args.flag("json");
  if (const auto m = args.value("mechanisms")) {
    plan.only = split_commas(*m);
    for (const auto& name : plan.only)
      if (std::find(std::begin(kMechanisms), std::end(kMechanisms), name) == std::end(kMechanisms))
        throw shmipc::Error(shmipc::ErrorCode::Usage,
                            "--mechanisms: '" + name + "' is not one of the bench's rows");
  }
  args.finish();

  const CpuPlan cpus;
  if (cpus.usable() < 2) {
    // Two CPUs cannot be had: say so instead of pretending.
    plan.placements.erase(
        std::remove(plan.placements.begin(), plan.placements.end(), Placement::TwoCpus),
        plan.placements.end());
    if (!plan.json) std::printf("only one usable CPU: no two-cpus placement\n");
  }
  if (!plan.json) {
    std::printf(
        "round trip = a message of N bytes one way and a receipt back, between two processes;\n"
        "%zu messages per row (seed-faithful: %zu). Machine: %s.\n",
        plan.messages, plan.seed_messages, machine_description().c_str());
    std::fflush(stdout);
  }

  std::vector<Row> rows;
  std::vector<JournalCost> costs;
  SessionNames names;
  for (Placement placement : plan.placements)
    for (std::size_t bytes : plan.sizes) run_size(plan, cpus, placement, bytes, names, rows, costs);

  if (plan.json) {
    print_json(rows);
    return 0;
  }
  print_tables(rows, plan.placements);
  print_journal_cost(costs);
  if (plan.stream_bytes > 0) print_stream(bench_stream(cpus, plan.stream_bytes, names.next()));
  return 0;
}

}  // namespace shmcli
