// Everything of the inspect library: see a program's shared memory through its debug info.
#pragma once

#include "shminspect/decode.hpp"
#include "shminspect/dwarf_layout.hpp"
#include "shminspect/error.hpp"
#include "shminspect/history.hpp"
#include "shminspect/layout.hpp"
#include "shminspect/layout_facts.hpp"
#include "shminspect/layout_file.hpp"
#include "shminspect/live_view.hpp"
#include "shminspect/segment_reader.hpp"
#include "shminspect/segments.hpp"
#include "shminspect/watch.hpp"
