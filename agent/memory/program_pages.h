// Gives back the resident pages of the agent's own program file once the loop is
// steady: start-up (options, config, facts, logging set-up) touches code that no
// pass runs again, and the kernel maps 64 KB around each page touched, so most of
// the text segment stays resident otherwise. Only the code a pass runs faults back,
// page by page (the mappings lose their read-ahead too).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tidemark::agent {

struct MappedRange {
  uintptr_t begin = 0;
  uintptr_t end = 0;
};

// The ranges of `maps_text` (the format of /proc/PID/maps) that map the file `path`.
std::vector<MappedRange> mappingsOfFile(std::string_view maps_text, std::string_view path);

struct PageOutResult {
  size_t ranges = 0;  // ranges advised
  size_t bytes = 0;   // their total size (not all of it was resident)
  int error = 0;      // errno of the first refusal (EINVAL: a kernel before 5.4)
};

// MADV_RANDOM, then MADV_PAGEOUT, of every mapping of `path` in this process (the
// program itself when empty, from /proc/self/exe). Clean file pages mapped by this
// process only are dropped; others are left alone by the kernel.
PageOutResult pageOutMappingsOf(std::string path = {});

}  // namespace tidemark::agent
