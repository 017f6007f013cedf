// The read side of the fleet's history, as the planner, the trigger rules, the
// reports (through the admin `plan` and `query` requests), the tuning observations
// and `tidemark query` use it. Two backends: the embedded RocksDB store (one
// controller, its own agents) and any Prometheus-compatible HTTP query API (several
// controllers writing one distributed store, each planner seeing the whole fleet).
// Writes (ingest, imports, trigger states, tuning records) stay on SampleStore.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "controller/store/sample_store.h"

namespace tidemark::controller {

class HistorySource {
 public:
  virtual ~HistorySource() = default;

  // The series `query` selects (metric, host, label matchers) with their points in
  // [since_ms, until_ms]: raw, step-aggregated into step-aligned buckets, the newest N,
  // or only the newest, exactly as SampleStore::query documents. Sorted by (host,
  // labels); series without a point are left out. Throws std::invalid_argument for a
  // bad query, StoreError when the history cannot be read (naming where and why).
  virtual std::vector<SeriesResult> query(const SeriesQuery& query) const = 0;

  // The newest sample in [since_ms, until_ms] of each series `query` selects, sorted
  // like query(). The views stay valid as long as this source. Throws like query().
  virtual std::vector<LastValue> lastValues(const SeriesQuery& query) const = 0;

  // Each host's agent collection interval where this source knows it (agents say it
  // in their hello); ship statuses judge staleness by it. Hosts not listed get the
  // default of shipStaleAfterMs(0).
  virtual std::map<std::string, uint32_t> agentIntervals() const = 0;
};

}  // namespace tidemark::controller
