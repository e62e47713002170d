// How `shmipc bench` shows its rows: one Markdown table per placement with each row's ratio
// to the floor row and to the pipe row of the same placement and size, or one JSON object.
#pragma once

#include <string>
#include <vector>

#include "bench_harness.hpp"
#include "bench_stream.hpp"

namespace shmcli::bench {

// The floor a placement's rows are compared with: the blocking futex on one CPU (spinning
// cannot help there), the adaptive-spin futex elsewhere (the best a blocking hand-off can do).
std::string_view floor_mechanism(Placement p) noexcept;

struct JournalCost {
  Placement placement = Placement::Unpinned;
  std::size_t bytes = 0;
  double on_median_us = 0;
  double off_median_us = 0;
};

std::string machine_description();  // one line: CPUs, model, kernel, load, spin policy

void print_tables(const std::vector<Row>& rows, const std::vector<Placement>& placements);
void print_journal_cost(const std::vector<JournalCost>& costs);
void print_stream(const StreamResult& s);
void print_json(const std::vector<Row>& rows);

}  // namespace shmcli::bench
