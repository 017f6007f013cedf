// The exporter's own health, for `tidemark status` and the controller's self metrics.
#pragma once

#include <atomic>
#include <cstdint>

namespace tidemark::controller::remote_write {

// Lifetime counters of this controller process (not kept across restarts).
struct SenderCounters {
  std::atomic<uint64_t> sent{0};          // samples the remote accepted
  std::atomic<uint64_t> failed{0};        // samples of requests that failed and are retried
  std::atomic<uint64_t> dropped_http{0};  // samples of requests refused with a 4xx (not 429)
  std::atomic<uint64_t> requests{0};      // requests answered 2xx
};

struct RemoteWriteStats {
  uint64_t samples_sent = 0;
  uint64_t samples_failed = 0;
  uint64_t samples_dropped = 0;  // 4xx answers plus queue overflow
  uint64_t samples_dropped_queue = 0;
  uint64_t samples_pending = 0;  // in the queue, not delivered yet
  uint64_t queue_bytes = 0;
  double lag_seconds = 0;  // age of the oldest undelivered sample (since enqueued); 0 when none
  uint64_t damaged_regions = 0;
  uint32_t shards = 0;
};

}  // namespace tidemark::controller::remote_write
