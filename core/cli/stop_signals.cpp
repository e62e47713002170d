#include "stop_signals.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

namespace shmcli {

namespace {

std::mutex g_mutex;
shmipc::Session* g_session = nullptr;

sigset_t stop_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void handle_stop_signals() {
  static std::once_flag once;
  std::call_once(once, [] {
    const sigset_t set = stop_set();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread([set] {
      int sig = 0;
      while (sigwait(&set, &sig) != 0) {
      }
      // Holding the lock to the end: the main thread cannot leave (or use a left session's
      // state for leaving) concurrently, and we exit before anyone else takes it.
      g_mutex.lock();
      const bool had_session = g_session != nullptr;
      if (had_session) g_session->leave();
      std::fflush(stdout);
      std::fprintf(stderr, "shmipc: %s: %s\n", strsignal(sig),
                   had_session ? "left the session" : "stopped");
      std::fflush(stderr);
      ::_exit(128 + sig);
    }).detach();
  });
}

void leave_on_stop_signal(shmipc::Session* session) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_session = session;
}

void leave_session(shmipc::Session& session) {
  std::lock_guard<std::mutex> lock(g_mutex);
  session.leave();
  if (g_session == &session) g_session = nullptr;
}

}  // namespace shmcli
