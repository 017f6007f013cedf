// The in-memory head of one series: its open (not yet sealed) samples as a
// compressed stream, and what the store needs to seal and replay it.
#pragma once

#include <cstdint>
#include <limits>

#include "controller/store/chunk/head_chunk.h"

namespace tidemark::controller {

struct SeriesHead {
  chunk::HeadChunk chunk;
  // Newest sample already sealed from this head (INT64_MIN: none). Samples at or
  // before it are late: they go to chunks of their own.
  int64_t sealed_through_ms = std::numeric_limits<int64_t>::min();
  // The head-log record holding the open chunk's oldest sample (0 when empty).
  uint64_t first_log = 0;

  bool empty() const { return chunk.count() == 0; }
  // Newest sample of the series seen through the head (sealed or open).
  int64_t newestMs() const { return empty() ? sealed_through_ms : chunk.lastTimestampMs(); }
};

}  // namespace tidemark::controller
