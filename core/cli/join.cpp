// `shmipc join`: the article's single program. The first process becomes the parent, the
// next the child (decided race-free by the session's role locks).
#include <unistd.h>

#include <cstdio>

#include "commands.hpp"
#include "stop_signals.hpp"

namespace shmcli {

int run_join(Arguments& args) {
  shmipc::SessionOptions options;
  options.name = args.session();
  options.role = shmipc::RoleRequest::Any;
  ChildPlan plan = read_child_plan(args);
  const auto count = args.count("count");
  args.finish();
  options.mode = plan.mode;
  handle_stop_signals();
  auto session = shmipc::Session::join(options);
  LeaveOnStop leave_on_stop(*session);
  const bool parent = session->role() == shmipc::Role::Parent;
  std::printf("joined session %s as the %s (pid %d)\n", options.name.c_str(),
              parent ? "parent" : "child", static_cast<int>(::getpid()));
  std::fflush(stdout);
  if (parent) return parent_receive_loop(*session, plan.mode, count);
  return child_behaviour(*session, plan);
}

}  // namespace shmcli
