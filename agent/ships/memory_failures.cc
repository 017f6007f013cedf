#include "agent/ships/memory_failures.h"

namespace tidemark::agent {

void countMemoryFailure(std::string_view line, MemoryFailureCounts& counts) {
  if (line.find("bail: meme") != std::string_view::npos) {
    ++counts.meme;
  } else if (line.find("loom: fault mprotect") != std::string_view::npos) {
    ++counts.mprotect;
  } else if (const size_t mapping = line.find("mapping ");
             mapping != std::string_view::npos &&
             line.find(" failed", mapping) != std::string_view::npos) {
    ++counts.mapping;
  }
}

}  // namespace tidemark::agent
