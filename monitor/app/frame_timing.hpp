// `shmscope --frame-timing N`: what one frame of the monitor costs the CPU, without a window
// and without rendering (software OpenGL would measure the rasteriser, not us). Real peers fill
// a private session's journal first, so every panel draws its worst case: a full 2048-record
// journal, a long history of block copies, every panel open at 1920x1080.
#pragma once

namespace shmscope {

// Prints the report on stdout; returns an ExitCode.
int run_frame_timing(int frames);

}  // namespace shmscope
