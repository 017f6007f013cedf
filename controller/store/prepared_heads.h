// What SampleStore::commit prepares before its RocksDB write (private to the store's
// sources): the batch records, head-log runs and the heads to install after the write,
// in parts that can be prepared on threads of their own.
#pragma once

#include <rocksdb/write_batch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "controller/store/head_log.h"
#include "controller/store/sample_store.h"
#include "controller/store/series_head.h"

namespace tidemark::controller {

// One part of a commit: a disjoint set of series, so parts never touch the same head.
struct SampleStore::PreparedPart {
  // Where this part's chunk puts, rollup merges and head marks go: the commit's own
  // batch for the parts prepared on the committing thread, else `own_batch`, which is
  // appended to the commit's batch after the join (in part order).
  rocksdb::WriteBatch* batch = nullptr;
  rocksdb::WriteBatch own_batch;
  // This part's runs of the commit's head-log record.
  HeadLogWriter log;
  // Series whose head is replaced (sealed, flushed, or new and holding samples).
  std::unordered_map<uint64_t, std::unique_ptr<SeriesHead>> replacements;
  // Samples appended to a live head: ranges of `timestamps_ms` / `values`.
  struct Append {
    uint64_t series_id;
    size_t begin;
    size_t end;
  };
  std::vector<Append> appends;
  std::vector<int64_t> timestamps_ms;
  std::vector<double> values;
  // Scratch, reused from series to series.
  std::vector<int64_t> all_ts, late_ts;
  std::vector<double> all_values, late_values;
  std::string encoded;
};

// Heads to install once the write succeeded, part by part in order: parts[0] holds
// the heads a head flush sealed (prepared first, alone), the others the commit's
// series. A later part may append to a head in parts[0] or seal it again into a head
// of its own, which, installed later, replaces it.
struct SampleStore::PreparedHeads {
  std::vector<std::unique_ptr<PreparedPart>> parts;
};

}  // namespace tidemark::controller
