// Rollups: per series, (count, min, max, sum, last) for every 5 minutes and every
// hour, so that long ranges are read from a few records instead of every sample.
// They are written when samples are sealed into chunks, as RocksDB merge operands
// (one per series and window: an hour of 5 min buckets, a day of 1 h buckets); the
// merge operator combines them, so building a rollup never reads anything back and
// late or backfilled samples land in the right buckets. Values are compressed with
// the chunk codec. Retention per resolution by a compaction filter.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "controller/store/store_options.h"

namespace tidemark::controller {

enum class Resolution : uint8_t { k5m = 1, k1h = 2 };

constexpr int64_t bucketMs(Resolution resolution) {
  return resolution == Resolution::k5m ? 5 * 60 * 1000 : 3600 * 1000;
}
// The time one record covers: 12 buckets of 5 min, or 24 of 1 h.
constexpr int64_t windowMs(Resolution resolution) {
  return resolution == Resolution::k5m ? 3600 * 1000 : 24 * 3600 * 1000;
}

struct RollupBucket {
  int64_t start_ms = 0;
  uint64_t count = 0;
  double min = 0;
  double max = 0;
  double sum = 0;
  double last = 0;
  int64_t last_ms = 0;  // when `last` was sampled, to merge "last" correctly
};

// Floors toward negative infinity (timestamps before 1970 are valid).
int64_t floorTo(int64_t ms, int64_t step);

// Buckets of `step` for sorted samples, appended to `out` (sorted by start).
void bucketize(std::span<const int64_t> timestamps_ms, std::span<const double> values, int64_t step,
               std::vector<RollupBucket>& out);
// Merges `from` into `into`; both sorted by start, the result too.
void mergeBuckets(std::vector<RollupBucket>& into, const std::vector<RollupBucket>& from);

std::string encodeBuckets(const std::vector<RollupBucket>& buckets);
// False when the bytes are not an encoding of buckets.
bool decodeBuckets(std::string_view bytes, std::vector<RollupBucket>& out);

std::string rollupKey(uint64_t series_id, Resolution resolution, int64_t window_start_ms);

// The column family's options: merge operator, compression, retention filter.
rocksdb::ColumnFamilyOptions rollupFamilyOptions(const StoreOptions& options);

// Adds merge operands for sorted samples of one series, both resolutions.
void addRollups(rocksdb::WriteBatch& batch, rocksdb::ColumnFamilyHandle* family, uint64_t series_id,
                std::span<const int64_t> timestamps_ms, std::span<const double> values);

// The buckets of [since, until] (bucket starts), sorted. Throws StoreError.
std::vector<RollupBucket> readRollups(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family,
                                      const rocksdb::Snapshot* snapshot, uint64_t series_id,
                                      Resolution resolution, int64_t since_ms, int64_t until_ms);

}  // namespace tidemark::controller
