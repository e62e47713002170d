#include "shmmetrics/exporter.hpp"

#include <httplib.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "shmipc/error.hpp"
#include "shmmetrics/openmetrics.hpp"
#include "shmmetrics/query.hpp"

namespace shmmetrics {

struct Exporter::Impl {
  ExporterOptions options;
  Collector collector;
  httplib::Server server;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  bool stop_requested = false;  // by stop(), as opposed to the server ending by itself
  bool bound = false;

  explicit Impl(ExporterOptions o) : options(std::move(o)), collector(options.collector) {}

  void routes();
  void poll_until_stopped();
};

namespace {

constexpr const char* kText = "text/plain; charset=utf-8";

void method_not_allowed(const httplib::Request&, httplib::Response& res) {
  res.status = 405;
  res.set_header("Allow", "GET, HEAD");
  res.set_content("405 method not allowed: use GET or HEAD\n", kText);
}

}  // namespace

void Exporter::Impl::routes() {
  server.Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
    MetricsQuery query;
    try {
      query = parse_metrics_query({req.params.begin(), req.params.end()});
    } catch (const shmipc::Error& e) {
      res.status = 400;
      res.set_content(std::string("400 bad request: ") + e.what() + "\n", kText);
      return;
    }
    const std::string text =
        render_openmetrics(collector.sessions(query.sessions), collector.stats());
    res.set_content(text, std::string(kOpenMetricsContentType).c_str());
  });
  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("shmipc metrics: OpenMetrics for every shmipc session of this user at "
                    "/metrics (docs/METRICS.md)\n",
                    kText);
  });
  for (const char* path : {"/metrics", "/"}) {
    server.Post(path, method_not_allowed);
    server.Put(path, method_not_allowed);
    server.Patch(path, method_not_allowed);
    server.Delete(path, method_not_allowed);
    server.Options(path, method_not_allowed);
  }
  // Errors the library produces itself (404, 400 for a malformed request) get a text body too.
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    const char* what = res.status == 404   ? "not found (the metrics are at /metrics)"
                       : res.status == 400 ? "bad request"
                       : res.status == 413 ? "payload too large"
                                           : "error";
    res.set_content(std::to_string(res.status) + " " + what + "\n", kText);
  });
  // The library's default adds SO_REUSEPORT, with which a second exporter on the same port
  // binds as well and takes half of the scrapes: only SO_REUSEADDR (a quick restart after
  // TIME_WAIT), so that a port in use is an error.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_payload_max_length(64 * 1024);
  server.set_read_timeout(5, 0);
  server.set_write_timeout(5, 0);
  // Bounds how long a kept-alive connection delays stopping.
  server.set_keep_alive_timeout(1);
}

void Exporter::Impl::poll_until_stopped() {
  std::unique_lock<std::mutex> lock(mutex);
  while (!stopping) {
    lock.unlock();
    collector.poll();
    lock.lock();
    wake.wait_for(lock, options.interval, [this] { return stopping; });
  }
}

Exporter::Exporter(ExporterOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->routes();
}

Exporter::~Exporter() = default;

std::uint16_t Exporter::bind() {
  const ListenAddress& at = impl_->options.listen;
  errno = 0;
  int port = at.port;
  bool ok = false;
  if (at.port == 0) {
    port = impl_->server.bind_to_any_port(at.host);
    ok = port > 0;
  } else {
    ok = impl_->server.bind_to_port(at.host, at.port);
  }
  if (!ok) {
    const int err = errno;
    const std::string why = err != 0 ? std::strerror(err) : "the host could not be resolved";
    throw shmipc::Error(shmipc::ErrorCode::System,
                        "cannot listen on " + at.text() + ": " + why);
  }
  impl_->bound = true;
  return static_cast<std::uint16_t>(port);
}

void Exporter::run() {
  if (!impl_->bound) throw shmipc::Error(shmipc::ErrorCode::Usage, "Exporter::run before bind");
  impl_->collector.poll();  // the first scrape already has every session
  std::thread poller([this] { impl_->poll_until_stopped(); });
  std::atomic<bool> served{false};
  std::thread http([this, &served] {
    impl_->server.listen_after_bind();
    served = true;
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->stopping = true;  // ended by itself: stop polling too
    impl_->wake.notify_all();
  });
  {
    std::unique_lock<std::mutex> lock(impl_->mutex);
    impl_->wake.wait(lock, [this] { return impl_->stopping; });
  }
  // stop() may come before the server thread is listening, when a stop is a no-op: repeat.
  while (!served) {
    impl_->server.stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  http.join();
  poller.join();
  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (!impl_->stop_requested)
    throw shmipc::Error(shmipc::ErrorCode::System,
                        "the HTTP server on " + impl_->options.listen.text() + " stopped by itself");
}

void Exporter::stop() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->stopping = true;
  impl_->stop_requested = true;
  impl_->wake.notify_all();
}

}  // namespace shmmetrics
