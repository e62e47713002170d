// The single include for OpenGL in shmscope. Today it is libepoxy; to swap the loader,
// change this header and the shmscope::gl target in third_party/CMakeLists.txt only.
#pragma once
#include <epoxy/gl.h>
