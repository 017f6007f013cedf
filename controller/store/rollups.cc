#include "controller/store/rollups.h"

#include <rocksdb/compaction_filter.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <limits>
#include <memory>

#include "common/errors/error.h"
#include "controller/store/chunk/chunk_codec.h"
#include "controller/store/key_codec.h"

namespace tidemark::controller {

namespace {

void putVarint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

bool getVarint(std::string_view& in, uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    const auto byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

void putColumn(std::string& out, std::span<const int64_t> timestamps, std::span<const double> values) {
  std::string encoded;
  chunk::encodeChunk(timestamps, values, encoded);
  putVarint(out, encoded.size());
  out += encoded;
}

bool getColumn(std::string_view& in, size_t expected, std::vector<int64_t>& timestamps,
               std::vector<double>& values) {
  uint64_t size = 0;
  if (!getVarint(in, size) || size > in.size()) return false;
  timestamps.clear();
  values.clear();
  try {
    chunk::decodeChunk(in.substr(0, size), timestamps, values);
  } catch (const StoreError&) {
    return false;
  }
  in.remove_prefix(size);
  return timestamps.size() == expected && values.size() == expected;
}

void combine(RollupBucket& into, const RollupBucket& from) {
  if (from.count == 0) return;
  if (into.count == 0) {
    into = from;
    return;
  }
  into.count += from.count;
  into.min = std::min(into.min, from.min);
  into.max = std::max(into.max, from.max);
  into.sum += from.sum;
  if (from.last_ms >= into.last_ms) {
    into.last = from.last;
    into.last_ms = from.last_ms;
  }
}

class RollupMergeOperator : public rocksdb::MergeOperator {
 public:
  bool FullMergeV2(const MergeOperationInput& input, MergeOperationOutput* output) const override {
    std::vector<RollupBucket> merged, operand;
    if (input.existing_value && !decodeBuckets(input.existing_value->ToStringView(), merged)) {
      merged.clear();  // damaged: rebuilt from the operands (logged by readers)
    }
    for (const auto& value : input.operand_list) {
      if (decodeBuckets(value.ToStringView(), operand)) mergeBuckets(merged, operand);
    }
    output->new_value = encodeBuckets(merged);
    return true;
  }

  bool PartialMergeMulti(const rocksdb::Slice& /*key*/,
                         const std::deque<rocksdb::Slice>& operand_list, std::string* new_value,
                         rocksdb::Logger* /*logger*/) const override {
    std::vector<RollupBucket> merged, operand;
    for (const auto& value : operand_list) {
      if (!decodeBuckets(value.ToStringView(), operand)) return false;
      mergeBuckets(merged, operand);
    }
    *new_value = encodeBuckets(merged);
    return true;
  }

  const char* Name() const override { return "tidemark.rollup_merge"; }
};

class RollupRetentionFilter : public rocksdb::CompactionFilter {
 public:
  RollupRetentionFilter(const StoreOptions& options, int64_t now_ms)
      : retention_5m_(options.rollup_5m_retention_ms),
        retention_1h_(options.rollup_1h_retention_ms),
        now_ms_(now_ms) {}

  bool Filter(int /*level*/, const rocksdb::Slice& key, const rocksdb::Slice& /*value*/,
              std::string* /*new_value*/, bool* /*value_changed*/) const override {
    if (key.size() != 17) return false;
    const auto resolution = static_cast<Resolution>(key[16]);
    const int64_t retention = resolution == Resolution::k5m ? retention_5m_ : retention_1h_;
    if (retention <= 0) return false;
    const int64_t start = keys::readTimestamp(std::string_view(key.data() + 8, 8));
    return start + windowMs(resolution) < now_ms_ - retention;
  }
  // Merge operands expire the same way.
  bool FilterMergeOperand(int level, const rocksdb::Slice& key,
                          const rocksdb::Slice& operand) const override {
    return Filter(level, key, operand, nullptr, nullptr);
  }
  const char* Name() const override { return "tidemark.rollup_retention"; }

 private:
  int64_t retention_5m_;
  int64_t retention_1h_;
  int64_t now_ms_;
};

class RollupRetentionFactory : public rocksdb::CompactionFilterFactory {
 public:
  explicit RollupRetentionFactory(StoreOptions options) : options_(std::move(options)) {}
  std::unique_ptr<rocksdb::CompactionFilter> CreateCompactionFilter(
      const rocksdb::CompactionFilter::Context& /*context*/) override {
    return std::make_unique<RollupRetentionFilter>(options_, options_.now_ms());
  }
  const char* Name() const override { return "tidemark.rollup_retention"; }

 private:
  StoreOptions options_;
};

}  // namespace

int64_t floorTo(int64_t ms, int64_t step) {
  int64_t floored = ms - ms % step;
  if (ms % step < 0) {
    // The open end of a range (INT64_MIN) stays the open end instead of wrapping.
    floored = floored < std::numeric_limits<int64_t>::min() + step ? std::numeric_limits<int64_t>::min()
                                                                   : floored - step;
  }
  return floored;
}

void bucketize(std::span<const int64_t> timestamps_ms, std::span<const double> values, int64_t step,
               std::vector<RollupBucket>& out) {
  for (size_t i = 0; i < timestamps_ms.size(); ++i) {
    const int64_t start = floorTo(timestamps_ms[i], step);
    if (out.empty() || out.back().start_ms != start) {
      RollupBucket bucket;
      bucket.start_ms = start;
      bucket.count = 1;
      bucket.min = bucket.max = bucket.sum = bucket.last = values[i];
      bucket.last_ms = timestamps_ms[i];
      out.push_back(bucket);
      continue;
    }
    RollupBucket single;
    single.start_ms = start;
    single.count = 1;
    single.min = single.max = single.sum = single.last = values[i];
    single.last_ms = timestamps_ms[i];
    combine(out.back(), single);
  }
}

void mergeBuckets(std::vector<RollupBucket>& into, const std::vector<RollupBucket>& from) {
  std::vector<RollupBucket> merged;
  merged.reserve(into.size() + from.size());
  size_t a = 0, b = 0;
  while (a < into.size() || b < from.size()) {
    if (b == from.size() || (a < into.size() && into[a].start_ms < from[b].start_ms)) {
      merged.push_back(into[a++]);
    } else if (a == into.size() || from[b].start_ms < into[a].start_ms) {
      merged.push_back(from[b++]);
    } else {
      merged.push_back(into[a++]);
      combine(merged.back(), from[b++]);
    }
  }
  into = std::move(merged);
}

std::string encodeBuckets(const std::vector<RollupBucket>& buckets) {
  std::string out;
  putVarint(out, buckets.size());
  if (buckets.empty()) return out;
  std::vector<int64_t> starts, last_times;
  std::vector<double> mins, maxes, sums, lasts;
  for (const auto& bucket : buckets) {
    putVarint(out, bucket.count);
    starts.push_back(bucket.start_ms);
    last_times.push_back(bucket.last_ms);
    mins.push_back(bucket.min);
    maxes.push_back(bucket.max);
    sums.push_back(bucket.sum);
    lasts.push_back(bucket.last);
  }
  putColumn(out, starts, mins);
  putColumn(out, starts, maxes);
  putColumn(out, starts, sums);
  putColumn(out, last_times, lasts);
  return out;
}

bool decodeBuckets(std::string_view bytes, std::vector<RollupBucket>& out) {
  out.clear();
  uint64_t count = 0;
  if (!getVarint(bytes, count) || count > bytes.size()) return false;
  if (count == 0) return bytes.empty();
  out.resize(count);
  for (auto& bucket : out) {
    if (!getVarint(bytes, bucket.count)) return false;
  }
  std::vector<int64_t> timestamps;
  std::vector<double> values;
  if (!getColumn(bytes, count, timestamps, values)) return false;
  for (size_t i = 0; i < count; ++i) {
    out[i].start_ms = timestamps[i];
    out[i].min = values[i];
  }
  if (!getColumn(bytes, count, timestamps, values)) return false;
  for (size_t i = 0; i < count; ++i) out[i].max = values[i];
  if (!getColumn(bytes, count, timestamps, values)) return false;
  for (size_t i = 0; i < count; ++i) out[i].sum = values[i];
  if (!getColumn(bytes, count, timestamps, values)) return false;
  for (size_t i = 0; i < count; ++i) {
    out[i].last_ms = timestamps[i];
    out[i].last = values[i];
  }
  return bytes.empty();
}

std::string rollupKey(uint64_t series_id, Resolution resolution, int64_t window_start_ms) {
  std::string key = keys::seriesTimeKey(series_id, window_start_ms);
  key.push_back(static_cast<char>(resolution));
  return key;
}

rocksdb::ColumnFamilyOptions rollupFamilyOptions(const StoreOptions& options) {
  rocksdb::ColumnFamilyOptions family;
  family.merge_operator = std::make_shared<RollupMergeOperator>();
  family.compaction_filter_factory = std::make_shared<RollupRetentionFactory>(options);
  family.compression = rocksdb::kLZ4Compression;
  family.bottommost_compression = rocksdb::kZSTD;
  family.periodic_compaction_seconds = 24 * 3600;
  return family;
}

void addRollups(rocksdb::WriteBatch& batch, rocksdb::ColumnFamilyHandle* family, uint64_t series_id,
                std::span<const int64_t> timestamps_ms, std::span<const double> values) {
  std::vector<RollupBucket> buckets;
  for (Resolution resolution : {Resolution::k5m, Resolution::k1h}) {
    buckets.clear();
    bucketize(timestamps_ms, values, bucketMs(resolution), buckets);
    size_t begin = 0;
    while (begin < buckets.size()) {
      const int64_t window = floorTo(buckets[begin].start_ms, windowMs(resolution));
      size_t end = begin;
      while (end < buckets.size() && buckets[end].start_ms < window + windowMs(resolution)) ++end;
      std::vector<RollupBucket> slice(buckets.begin() + static_cast<std::ptrdiff_t>(begin),
                                      buckets.begin() + static_cast<std::ptrdiff_t>(end));
      batch.Merge(family, rollupKey(series_id, resolution, window), encodeBuckets(slice));
      begin = end;
    }
  }
}

std::vector<RollupBucket> readRollups(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family,
                                      const rocksdb::Snapshot* snapshot, uint64_t series_id,
                                      Resolution resolution, int64_t since_ms, int64_t until_ms) {
  std::vector<RollupBucket> out, window;
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read_options, family));
  const int64_t first_window = floorTo(since_ms, windowMs(resolution));
  for (it->Seek(keys::seriesTimeKey(series_id, first_window)); it->Valid(); it->Next()) {
    const auto key = it->key().ToStringView();
    if (key.size() != 17 || keys::readU64(key) != series_id) break;
    if (keys::readTimestamp(key.substr(8, 8)) > until_ms) break;
    if (static_cast<Resolution>(key[16]) != resolution) continue;
    if (!decodeBuckets(it->value().ToStringView(), window)) {
      throw StoreError("rollup record of series " + std::to_string(series_id) + " is damaged");
    }
    for (const auto& bucket : window) {
      if (bucket.start_ms >= floorTo(since_ms, bucketMs(resolution)) && bucket.start_ms <= until_ms) {
        out.push_back(bucket);
      }
    }
  }
  if (!it->status().ok()) throw StoreError("reading rollups: " + it->status().ToString());
  return out;
}

}  // namespace tidemark::controller
