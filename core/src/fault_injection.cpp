#include "shmipc/fault_injection.hpp"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace shmipc::fault {

namespace {

constexpr std::array<std::string_view, kPointCount> kNames{
    "none",       "after-lock",   "mid-write", "before-unlock", "after-unlock",
    "receipt-wait", "step-gate", "slot-claim", "join",          "leave"};

Plan g_plan;
std::atomic<std::uint32_t> g_count{0};

// The last word of the value: "stop" (or "kill"), else part of the point or its count.
std::string_view take_action(std::string_view text, Action& action) noexcept {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return text;
  const std::string_view last = text.substr(colon + 1);
  if (last == "stop") action = Action::Stop;
  else if (last == "kill") action = Action::Kill;
  else return text;
  return text.substr(0, colon);
}

Point armed_from_environment() noexcept {
  const char* value = std::getenv("SHMIPC_FAULT");
  if (value == nullptr || *value == '\0') return Point::None;
  const auto plan = parse_plan(value);
  if (!plan) {
    std::fprintf(stderr,
                 "shmipc: SHMIPC_FAULT=%s ignored: expected POINT[:N][:stop], POINT one of "
                 "after-lock, mid-write, before-unlock, after-unlock, receipt-wait, step-gate, "
                 "slot-claim, join, leave\n",
                 value);
    return Point::None;
  }
  g_plan = *plan;
  return plan->point;
}

}  // namespace

namespace detail {
Point g_armed = armed_from_environment();

void reached(Point p) noexcept {
  if (p != g_plan.point) return;
  if (g_count.fetch_add(1, std::memory_order_relaxed) + 1 != g_plan.nth) return;
  // A line on stderr first, so that a test's log says where the peer died (write(2) is
  // async-signal-safe and needs no stdio lock).
  char line[96];
  const int n = std::snprintf(line, sizeof line, "shmipc: fault injection: %s at %s (pid %d)\n",
                              g_plan.action == Action::Stop ? "SIGSTOP" : "SIGKILL",
                              point_name(p).data(), static_cast<int>(::getpid()));
  if (n > 0) (void)!::write(2, line, static_cast<std::size_t>(n));
  ::raise(g_plan.action == Action::Stop ? SIGSTOP : SIGKILL);
}
}  // namespace detail

std::optional<Point> point_named(std::string_view name) noexcept {
  for (std::uint32_t i = 1; i < kPointCount; ++i)
    if (kNames[i] == name) return static_cast<Point>(i);
  return std::nullopt;
}

std::string_view point_name(Point p) noexcept {
  const auto i = static_cast<std::uint32_t>(p);
  return i < kPointCount ? kNames[i] : "?";
}

std::optional<Plan> parse_plan(std::string_view text) noexcept {
  Plan plan;
  text = take_action(text, plan.action);
  const auto colon = text.find(':');
  if (colon != std::string_view::npos) {
    const std::string_view count = text.substr(colon + 1);
    std::uint32_t n = 0;
    const auto r = std::from_chars(count.data(), count.data() + count.size(), n);
    if (r.ec != std::errc() || r.ptr != count.data() + count.size() || n == 0) return std::nullopt;
    plan.nth = n;
    text = text.substr(0, colon);
  }
  const auto point = point_named(text);
  if (!point) return std::nullopt;
  plan.point = *point;
  return plan;
}

}  // namespace shmipc::fault
