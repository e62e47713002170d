// `shmipc clean`: removes a segment left behind by processes that died without leaving.
#include <cstdio>

#include "commands.hpp"
#include "shmipc/error.hpp"
#include "shmipc/session_name.hpp"

namespace shmcli {

int run_clean(Arguments& args) {
  const std::string name = args.session();
  args.finish();
  const std::string path = "/dev/shm" + shmipc::segment_name(name);
  if (shmipc::remove_stale_session(name)) {
    std::printf("removed stale session %s (%s): no live process held it\n", name.c_str(),
                path.c_str());
    return 0;
  }
  throw shmipc::Error(
      shmipc::ErrorCode::RoleTaken,
      "session " + name + " is in use by a live process; " + path + " was not removed");
}

}  // namespace shmcli
