// `shmipc metrics`: every session of this user as OpenMetrics for Prometheus, served over HTTP
// (docs/METRICS.md). The shmscope_metrics library does the work; this file is the command line
// and the stop signals: SIGINT, SIGTERM and SIGHUP stop the server cleanly (exit 0).
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <thread>

#include "commands.hpp"
#include "shmipc/error.hpp"
#include "shmmetrics/collector.hpp"
#include "shmmetrics/exporter.hpp"
#include "shmmetrics/listen_address.hpp"
#include "shmmetrics/openmetrics.hpp"

namespace shmcli {

int run_metrics(Arguments& args) {
  shmmetrics::ExporterOptions options;
  options.listen = shmmetrics::parse_listen_address(
      args.value("listen").value_or(std::string(shmmetrics::kDefaultListen)));
  if (auto ms = args.count("interval")) {
    if (*ms > 60'000)
      throw shmipc::Error(shmipc::ErrorCode::Usage, "--interval: at most 60000 ms");
    options.interval = std::chrono::milliseconds(*ms);
  }
  if (auto s = args.seconds("forget-after"))
    options.collector.forget_after = std::chrono::seconds(static_cast<long long>(*s));
  const bool once = args.flag("once");
  args.finish();

  if (once) {
    // One poll, printed: for scripts and cron jobs (node_exporter's textfile collector).
    shmmetrics::Collector collector(options.collector);
    collector.poll();
    const std::string text = shmmetrics::render_openmetrics(collector.sessions(), collector.stats());
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }

  // Blocked before any thread exists, so only the waiting thread below receives them.
  sigset_t stop_set;
  sigemptyset(&stop_set);
  sigaddset(&stop_set, SIGINT);
  sigaddset(&stop_set, SIGTERM);
  sigaddset(&stop_set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_set, nullptr);

  shmmetrics::Exporter exporter(options);
  const std::uint16_t port = exporter.bind();
  std::printf("shmipc metrics: serving OpenMetrics at %s (every session of uid %u, read every "
              "%lld ms); Ctrl-C stops\n",
              shmmetrics::listen_url(options.listen, port).c_str(), ::geteuid(),
              static_cast<long long>(options.interval.count()));
  std::fflush(stdout);

  int signal_number = 0;
  std::thread([&exporter, &signal_number, stop_set] {
    int sig = 0;
    while (sigwait(&stop_set, &sig) != 0) {
    }
    signal_number = sig;
    exporter.stop();
  }).detach();
  exporter.run();
  std::printf("shmipc metrics: stopped (%s)\n", strsignal(signal_number));
  return 0;
}

}  // namespace shmcli
