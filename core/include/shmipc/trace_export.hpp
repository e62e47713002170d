// A run's journal as Chrome trace event JSON (the "JSON Array/Object Format" that Perfetto
// and chrome://tracing load): one track per process (pid) named by process_name metadata,
// every mutex hold as a complete slice ("X"), every event set or consumption as an instant,
// and each set -> consume pair of one event as a flow arrow (s/f).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "shmipc/block.hpp"

namespace shmipc {

// `names` labels the tracks ("parent", "child"); a pid without a name is labelled by the
// role found in its records. Times are microseconds since the first record.
std::string chrome_trace_json(const std::vector<JournalRecord>& records,
                              const std::map<std::uint32_t, std::string>& names = {});

}  // namespace shmipc
