// toml++'s compiled part (what Debian's libtomlplusplus.so holds), built from Debian's
// own toml++ headers for the statically linked tidemark-agent: Debian ships no static
// archive of it. As toml++'s own src/toml.cpp does.
#ifndef TOML_IMPLEMENTATION
#define TOML_IMPLEMENTATION 1
#endif
#include <toml++/toml.h>
