#include "controller/history/rocksdb_history.h"

namespace tidemark::controller {

std::vector<SeriesResult> RocksdbHistory::query(const SeriesQuery& query) const {
  return store_.query(query);
}

std::vector<LastValue> RocksdbHistory::lastValues(const SeriesQuery& query) const {
  return store_.lastValues(query);
}

std::map<std::string, uint32_t> RocksdbHistory::agentIntervals() const {
  std::map<std::string, uint32_t> intervals;
  for (const auto& state : store_.hosts()) intervals[state.host] = state.interval_ms;
  return intervals;
}

}  // namespace tidemark::controller
