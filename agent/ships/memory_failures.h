// Counts a ship's memory failures in its log (the runtime's output, where the
// operator captures it): `bail: meme` (the loom is full), `loom: fault mprotect`
// (vm.max_map_count was hit) and `mapping ... failed` (too little RAM plus swap).
#pragma once

#include <cstdint>
#include <string_view>

namespace tidemark::agent {

struct MemoryFailureCounts {
  uint64_t meme = 0;
  uint64_t mprotect = 0;
  uint64_t mapping = 0;
};

// Adds the failure `line` reports, if any, to `counts`.
void countMemoryFailure(std::string_view line, MemoryFailureCounts& counts);

}  // namespace tidemark::agent
