// libFuzzer target: the query of GET /metrics (parse_metrics_query), fed parameters split from
// the input at '&' and '=' as an HTTP library would hand them over (decoded, any bytes).
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "shmipc/error.hpp"
#include "shmipc/session_name.hpp"
#include "shmmetrics/query.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t end = input.find('&', start);
    if (end == std::string::npos) end = input.size();
    const std::string part = input.substr(start, end - start);
    const std::size_t eq = part.find('=');
    params.emplace_back(part.substr(0, eq), eq == std::string::npos ? "" : part.substr(eq + 1));
    start = end + 1;
  }
  try {
    const auto query = shmmetrics::parse_metrics_query(params);
    for (const auto& name : query.sessions)
      if (shmipc::session_name_problem(name)) __builtin_trap();  // only valid names get through
  } catch (const shmipc::Error& e) {
    if (e.code() != shmipc::ErrorCode::Usage) __builtin_trap();
  }
  return 0;
}
