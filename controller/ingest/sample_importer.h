// Applies `tidemark import` requests: each request is a bounded set of whole series
// (host, name, sorted labels, increasing timestamps, values) written in one atomic
// commit, under the same series rules and per-host limits as agent ingest. Imported
// samples are history, not agent traffic: no sequence, epoch or presence changes.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "controller/ingest/batch_ingester.h"
#include "controller/store/sample_store.h"
#include "schemas/admin.capnp.h"

namespace tidemark::controller {

struct ImportResult {
  uint64_t samples = 0;
  uint64_t series = 0;
  uint64_t new_series = 0;
};

class SampleImporter {
 public:
  // Runs on the admin thread: the store's WriteSet holds its write lock from beginWrite
  // to commit, so an import takes turns with the ingest loop's group commits.
  SampleImporter(SampleStore& store, IngestLimits limits) : store_(store), limits_(limits) {}

  // Writes every series of the request in one commit. A refused request writes nothing:
  // throws std::invalid_argument naming the series (host, name) and the reason (a bad
  // name, label or host, timestamps not increasing, a limit); throws StoreError with
  // RocksDB's status when the commit fails.
  ImportResult apply(schema::ImportRequest::Reader request);

 private:
  SampleStore& store_;
  IngestLimits limits_;
  // Reused from series to series: the engine takes contiguous arrays.
  std::vector<int64_t> timestamps_;
  std::vector<double> values_;
};

}  // namespace tidemark::controller
