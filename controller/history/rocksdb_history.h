// The history in the controller's own RocksDB store: a thin forward to SampleStore's
// readers, so the embedded store behaves exactly as before the interface existed.
#pragma once

#include "controller/history/history_source.h"

namespace tidemark::controller {

class RocksdbHistory final : public HistorySource {
 public:
  // `store` must outlive this.
  explicit RocksdbHistory(const SampleStore& store) : store_(store) {}

  std::vector<SeriesResult> query(const SeriesQuery& query) const override;
  std::vector<LastValue> lastValues(const SeriesQuery& query) const override;
  std::map<std::string, uint32_t> agentIntervals() const override;

 private:
  const SampleStore& store_;
};

}  // namespace tidemark::controller
