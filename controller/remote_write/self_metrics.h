// The exporter's health as series of the controller's own host: samples sent, failed,
// dropped (by reason), pending, queue bytes and lag. Written into the store like any
// sample, so `tidemark query` shows them and they are exported with everything else
// (an operator alerts on them in the distributed store).
#pragma once

#include <cstdint>
#include <string>

#include "controller/remote_write/remote_write_stats.h"
#include "controller/store/sample_store.h"

namespace tidemark::controller::remote_write {

class SelfMetricsWriter {
 public:
  // `host` is the host label of the series (a valid host id, see checkHostId).
  SelfMetricsWriter(SampleStore& store, std::string host);

  // Appends one sample of each series at `wall_ms` in one commit. A time not after
  // the previous write's (the wall clock stepped back) writes nothing. Returns
  // RocksDB's error with context; empty on success.
  std::string write(const RemoteWriteStats& stats, int64_t wall_ms);

 private:
  SampleStore& store_;
  std::string host_;
  int64_t last_written_ms_ = 0;
};

}  // namespace tidemark::controller::remote_write
