#include "commands.hpp"
#include "shmipc/error.hpp"
namespace shmcli {
int run_bench(Arguments& args) {
  args.finish();
  throw shmipc::Error(shmipc::ErrorCode::Usage, "bench is not written yet");
}
}  // namespace shmcli
