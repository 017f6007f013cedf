#include "agent/ships/memory_failures.h"

#include <gtest/gtest.h>

namespace tidemark::agent {
namespace {

TEST(MemoryFailuresTest, CountsEachKind) {
  MemoryFailureCounts counts;
  for (const char* line :
       {"bail: meme", "[%bail %meme] bail: meme",
        "loom: fault mprotect (0x7f, 4096): Out of memory", "boot: mapping 2048MB failed",
        "mapping ok", "pack: gained 12MB", "serf unexpectedly shut down"}) {
    countMemoryFailure(line, counts);
  }
  EXPECT_EQ(counts.meme, 2u);
  EXPECT_EQ(counts.mprotect, 1u);
  EXPECT_EQ(counts.mapping, 1u);
}

}  // namespace
}  // namespace tidemark::agent
