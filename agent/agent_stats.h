// The agent's own counters, reported as tidemark_agent_* series every interval.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tidemark::agent {

struct AgentStats {
  // Since the state dir was created (kept by the outbox in STATE_DIR/counters):
  // collected = acked + dropped + what the outbox holds.
  uint64_t samples_collected = 0;
  uint64_t samples_acked = 0;
  uint64_t samples_dropped = 0;
  uint64_t batches_acked = 0;
  uint64_t batches_dropped = 0;
  // Since this process started.
  uint64_t batches_sent = 0;
  uint64_t batches_rejected = 0;
  uint64_t collections = 0;
  double last_collection_seconds = 0;
  // Per collector, in the order collectors run: name and last duration.
  std::vector<std::pair<std::string, double>> collector_seconds;
};

}  // namespace tidemark::agent
