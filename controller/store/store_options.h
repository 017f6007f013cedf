// Options of the controller's history store.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace tidemark::controller {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

struct StoreOptions {
  // Folder of the RocksDB database; created when missing. Required.
  std::string path;
  // fsync the write-ahead log before a write returns, so an acked batch survives a
  // power loss, not only a crash of the controller. Writes are group-committed, so
  // this costs one fsync per drained burst of batches. Default: true.
  bool sync_writes = true;
  // How long each resolution is kept. Defaults: raw 15 d, 5 min 90 d, 1 h 2 years.
  int64_t raw_retention_ms = 15 * kDayMs;
  int64_t rollup_5m_retention_ms = 90 * kDayMs;
  int64_t rollup_1h_retention_ms = 730 * kDayMs;
  // Samples per sealed chunk, and the longest time one chunk may cover (a chunk is
  // sealed early rather than span more). Chosen by measurement: see bench/README.md.
  uint32_t chunk_samples = 120;
  int64_t max_chunk_span_ms = 6 * 3600 * 1000;
  // A head that has not filled a chunk within two of these intervals is sealed as it
  // is, and the head log is cut behind the oldest open head, so replay stays short.
  // 0 disables both (the log is then cut only by compact()). Default: 30 min.
  int64_t head_flush_interval_ms = 30 * 60 * 1000;
  // A commit of at least twice this many samples (an import request) is prepared
  // (chunk encoding, rollups) in up to `prepare_threads` parts split by series, one
  // thread each; smaller commits (agent group commits) on the committing thread.
  // Defaults: 2 threads (the controller's reference machine has 2 cores), 32 Ki samples.
  uint32_t prepare_threads = 2;
  uint32_t parallel_prepare_min_samples = 32 * 1024;
  // Wall clock in unix ms (retention, head flushes); injected by tests.
  std::function<int64_t()> now_ms;
};

}  // namespace tidemark::controller
