// `shmipc lock --hold SECONDS`: takes the session's mutex as a tool and holds it, so that a
// person (or a test) can watch the peers wait for it.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "commands.hpp"
#include "shmipc/error.hpp"
#include "shmipc/robust_mutex.hpp"
#include "stop_signals.hpp"

namespace shmcli {

int run_lock(Arguments& args) {
  shmipc::SessionOptions options;
  options.name = args.session();
  options.role = shmipc::RoleRequest::Tool;
  options.create_if_missing = false;
  const auto hold = args.seconds("hold");
  args.finish();
  if (!hold) throw shmipc::Error(shmipc::ErrorCode::Usage, "lock needs --hold SECONDS");
  handle_stop_signals();
  auto session = shmipc::Session::join(options);
  LeaveOnStop leave_on_stop(*session);
  shmipc::RobustMutex mutex(session->actor());
  {
    shmipc::MutexGuard guard(mutex);
    if (!guard.acquired()) throw shmipc::Error(shmipc::ErrorCode::Timeout, "mutex not acquired");
    std::printf("holding the mutex of session %s for %g s (pid %d)\n", options.name.c_str(), *hold,
                static_cast<int>(::getpid()));
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::duration<double>(*hold));
  }
  std::printf("released the mutex\n");
  leave_session(*session);
  return 0;
}

}  // namespace shmcli
