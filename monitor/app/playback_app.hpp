// `shmscope --open FILE|-`: a recording in the live panels, with the timeline bar.
#pragma once

#include "app/options.hpp"

namespace shmscope {

int run_playback(const AppOptions& options);

}  // namespace shmscope
