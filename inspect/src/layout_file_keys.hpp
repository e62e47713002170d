// The keys a field of a layout file may have (Kaitai's, plus ours that start with '-').
#pragma once

#include <initializer_list>

namespace shminspect {

inline constexpr std::initializer_list<const char*> kFieldKeys = {
    "id",     "type",     "size",         "enum",       "repeat", "repeat-expr", "encoding",
    "offset", "bit-offset", "doc",        "-c-type",    "-kind",  "-atomic",     "-stride",
    "-storage", "-signed", "-inner-dims"};

}  // namespace shminspect
