// SampleStore's read side: series selection, raw and step-aggregated ranges, last
// values; plus compaction and size accounting.
#include <rocksdb/db.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <tuple>

#include "common/errors/error.h"
#include "controller/store/chunk/chunk_codec.h"
#include "controller/store/key_codec.h"
#include "controller/store/label_filter.h"
#include "controller/store/prefix_order.h"
#include "controller/store/rollups.h"
#include "controller/store/sample_store.h"
#include "controller/store/series_head.h"

namespace tidemark::controller {

namespace {

constexpr int64_t kMaxTimestamp = std::numeric_limits<int64_t>::max();
constexpr int64_t kMinTimestamp = std::numeric_limits<int64_t>::min();

// Sorts by timestamp when out of order (late chunks), keeping the first of equal ones.
void sortAndDeduplicate(std::vector<int64_t>& timestamps, std::vector<double>& values) {
  bool sorted = true;
  for (size_t i = 1; i < timestamps.size() && sorted; ++i) sorted = timestamps[i - 1] < timestamps[i];
  if (sorted) return;
  std::vector<size_t> order(timestamps.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return timestamps[a] < timestamps[b]; });
  std::vector<int64_t> ts;
  std::vector<double> vs;
  ts.reserve(order.size());
  vs.reserve(order.size());
  for (size_t index : order) {
    if (!ts.empty() && ts.back() == timestamps[index]) continue;
    ts.push_back(timestamps[index]);
    vs.push_back(values[index]);
  }
  timestamps = std::move(ts);
  values = std::move(vs);
}


// Re-buckets finer buckets into `step` buckets.
std::vector<RollupBucket> regroup(const std::vector<RollupBucket>& buckets, int64_t step) {
  std::vector<RollupBucket> out;
  for (const auto& bucket : buckets) {
    RollupBucket coarse = bucket;
    coarse.start_ms = floorTo(bucket.start_ms, step);
    mergeBuckets(out, {coarse});
  }
  return out;
}

// What a result is sorted by, (host, labels), packed small (48 bytes) so that sorting
// 100,000 results (a last-value query) moves little memory and rarely reads a string.
struct SortKey {
  uint64_t host_prefix = 0;
  uint64_t first_name_prefix = 0;
  uint64_t first_value_prefix = 0;
  uint32_t host_size = 0;
  uint32_t first_name_size = 0;
  uint32_t first_value_size = 0;
  uint32_t label_count = 0;
  uint32_t index = 0;  // into the results
};

SortKey sortKey(const SeriesResult& series, uint32_t index) {
  SortKey key;
  key.host_prefix = prefixOf(series.host);
  key.host_size = clampedSize(series.host.size());
  if (!series.labels.empty()) {
    key.first_name_prefix = prefixOf(series.labels[0].name);
    key.first_name_size = clampedSize(series.labels[0].name.size());
    key.first_value_prefix = prefixOf(series.labels[0].value);
    key.first_value_size = clampedSize(series.labels[0].value.size());
  }
  key.label_count = clampedSize(series.labels.size());
  key.index = index;
  return key;
}

// Reads a result's strings only when the packed key cannot decide: the results lie
// scattered in memory, the keys side by side.
bool before(const SortKey& a, const SortKey& b, const std::vector<SeriesResult>& results) {
  int by_host = comparePrefixes(a.host_prefix, a.host_size, b.host_prefix, b.host_size);
  if (by_host == kUndecided) by_host = results[a.index].host.compare(results[b.index].host);
  if (by_host != 0) return by_host < 0;
  if (a.label_count == 0 || b.label_count == 0) return a.label_count < b.label_count;
  int by_name = comparePrefixes(a.first_name_prefix, a.first_name_size, b.first_name_prefix,
                                b.first_name_size);
  if (by_name == kUndecided) {
    by_name = results[a.index].labels[0].name.compare(results[b.index].labels[0].name);
  }
  if (by_name != 0) return by_name < 0;
  int by_value = comparePrefixes(a.first_value_prefix, a.first_value_size, b.first_value_prefix,
                                 b.first_value_size);
  if (by_value == kUndecided) {
    by_value = results[a.index].labels[0].value.compare(results[b.index].labels[0].value);
  }
  if (by_value != 0) return by_value < 0;
  if (b.label_count == 1) return false;
  const Labels& a_labels = results[a.index].labels;
  const Labels& b_labels = results[b.index].labels;
  return std::lexicographical_compare(a_labels.begin() + 1, a_labels.end(), b_labels.begin() + 1,
                                      b_labels.end());
}

}  // namespace

double aggregateBucket(const RollupBucket& bucket, Aggregation aggregation) {
  switch (aggregation) {
    case Aggregation::kMin:
      return bucket.min;
    case Aggregation::kMax:
      return bucket.max;
    case Aggregation::kSum:
      return bucket.sum;
    case Aggregation::kLast:
      return bucket.last;
    case Aggregation::kCount:
      return static_cast<double>(bucket.count);
    case Aggregation::kNone:
    case Aggregation::kAvg:
      break;
  }
  return bucket.sum / static_cast<double>(bucket.count);
}

void SampleStore::readSeries(uint64_t series_id, int64_t since_ms, int64_t until_ms,
                             const rocksdb::Snapshot* snapshot, std::vector<int64_t>& timestamps_ms,
                             std::vector<double>& values) const {
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot;
  // A chunk starts at most max_chunk_span before its last sample.
  const int64_t seek_from =
      since_ms < kMinTimestamp + options_.max_chunk_span_ms ? kMinTimestamp
                                                             : since_ms - options_.max_chunk_span_ms;
  const std::string upper = keys::chunkKey(series_id + 1, kMinTimestamp, 0);
  rocksdb::Slice upper_slice(upper);
  read_options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, chunks_cf_));
  std::vector<int64_t> chunk_ts;
  std::vector<double> chunk_values;
  for (it->Seek(keys::chunkKey(series_id, seek_from, 0)); it->Valid(); it->Next()) {
    const auto key = it->key().ToStringView();
    if (keys::readTimestamp(key.substr(8, 8)) > until_ms) break;
    chunk_ts.clear();
    chunk_values.clear();
    try {
      chunk::decodeChunk(it->value().ToStringView(), chunk_ts, chunk_values);
    } catch (const StoreError& e) {
      throw StoreError("store " + options_.path + ": chunk of series " + std::to_string(series_id) +
                       " at " + std::to_string(keys::readTimestamp(key.substr(8, 8))) + ": " +
                       e.what());
    }
    for (size_t i = 0; i < chunk_ts.size(); ++i) {
      if (chunk_ts[i] < since_ms || chunk_ts[i] > until_ms) continue;
      timestamps_ms.push_back(chunk_ts[i]);
      values.push_back(chunk_values[i]);
    }
  }
  if (!it->status().ok()) {
    throw StoreError("store " + options_.path + ": reading chunks: " + it->status().ToString());
  }
}

std::vector<SeriesResult> SampleStore::query(const SeriesQuery& query) const {
  if (query.step_ms < 0) throw std::invalid_argument("step must be positive");
  if (query.last_only) {
    std::vector<SeriesResult> results;
    const std::vector<LastValue> lasts = lastValues(query);
    results.reserve(lasts.size());
    for (const LastValue& last : lasts) {
      SeriesResult& series = results.emplace_back();
      series.host = last.host;
      series.metric = last.metric;
      series.labels = last.labels();
      if (query.step_ms > 0) {
        std::vector<RollupBucket> buckets;
        bucketize(std::span(&last.timestamp_ms, 1), std::span(&last.value, 1), query.step_ms,
                  buckets);
        series.timestamps_ms.push_back(buckets.front().start_ms);
        series.values.push_back(aggregateBucket(buckets.front(), query.aggregation));
      } else {
        series.timestamps_ms.push_back(last.timestamp_ms);
        series.values.push_back(last.value);
      }
    }
    return results;
  }

  const LabelFilter filter(query.matchers);
  std::vector<SeriesResult> results;
  std::vector<uint64_t> ids;
  const std::vector<uint64_t> candidates = catalog_.select(query.metric, query.host);
  results.reserve(candidates.size());
  ids.reserve(candidates.size());
  catalog_.forEachKey(candidates, [&](uint64_t id, std::string_view key) {
    keys::SeriesKeyView view;
    if (!keys::viewSeriesKey(key, view) || !filter.accepts(view.encoded_labels)) return;
    SeriesResult& series = results.emplace_back();
    series.host = view.host;
    series.metric = view.metric;
    series.labels = keys::decodeLabels(view.encoded_labels);
    ids.push_back(id);
  });

  // Raw data older than its retention may wait for a compaction: never return it.
  const int64_t raw_since =
      options_.raw_retention_ms > 0
          ? std::max(query.since_ms, nowMs() - options_.raw_retention_ms)
          : query.since_ms;

  // Heads and a snapshot taken together: a seal between them would otherwise show
  // its samples twice or not at all.
  std::vector<std::vector<int64_t>> head_ts(ids.size());
  std::vector<std::vector<double>> head_values(ids.size());
  const rocksdb::Snapshot* snapshot = nullptr;
  {
    std::shared_lock lock(heads_mutex_);
    snapshot = db_->GetSnapshot();
    for (size_t i = 0; i < ids.size(); ++i) {
      const SeriesHead* current = head(ids[i]);
      if (!current || current->empty()) continue;
      if (current->chunk.lastTimestampMs() < query.since_ms ||
          current->chunk.firstTimestampMs() > query.until_ms) {
        continue;
      }
      current->chunk.decode(head_ts[i], head_values[i]);
    }
  }
  struct SnapshotRelease {
    rocksdb::DB* db;
    const rocksdb::Snapshot* snapshot;
    ~SnapshotRelease() { db->ReleaseSnapshot(snapshot); }
  } release{db_.get(), snapshot};

  const bool use_rollups = query.step_ms >= bucketMs(Resolution::k5m) &&
                           query.step_ms % bucketMs(Resolution::k5m) == 0;
  const Resolution resolution = query.step_ms % bucketMs(Resolution::k1h) == 0
                                    ? Resolution::k1h
                                    : Resolution::k5m;

  for (size_t i = 0; i < ids.size(); ++i) {
    SeriesResult& series = results[i];
    auto& ts = series.timestamps_ms;
    auto& values = series.values;
    const auto& series_head_ts = head_ts[i];
    const auto& series_head_values = head_values[i];
    if (use_rollups) {
      // Sealed samples are in the rollups; the open head is bucketed here.
      std::vector<RollupBucket> buckets =
          readRollups(*db_, rollups_cf_, snapshot, ids[i], resolution, query.since_ms, query.until_ms);
      std::vector<RollupBucket> head_buckets;
      std::vector<int64_t> in_range_ts;
      std::vector<double> in_range_values;
      for (size_t j = 0; j < series_head_ts.size(); ++j) {
        if (series_head_ts[j] < query.since_ms || series_head_ts[j] > query.until_ms) continue;
        in_range_ts.push_back(series_head_ts[j]);
        in_range_values.push_back(series_head_values[j]);
      }
      bucketize(in_range_ts, in_range_values, bucketMs(resolution), head_buckets);
      mergeBuckets(buckets, head_buckets);
      for (const auto& bucket : regroup(buckets, query.step_ms)) {
        ts.push_back(bucket.start_ms);
        values.push_back(aggregateBucket(bucket, query.aggregation));
      }
    } else {
      readSeries(ids[i], raw_since, query.until_ms, snapshot, ts, values);
      for (size_t j = 0; j < series_head_ts.size(); ++j) {
        if (series_head_ts[j] < raw_since || series_head_ts[j] > query.until_ms) continue;
        ts.push_back(series_head_ts[j]);
        values.push_back(series_head_values[j]);
      }
      sortAndDeduplicate(ts, values);
      if (query.step_ms > 0) {
        std::vector<RollupBucket> buckets;
        bucketize(ts, values, query.step_ms, buckets);
        ts.clear();
        values.clear();
        for (const auto& bucket : buckets) {
          ts.push_back(bucket.start_ms);
          values.push_back(aggregateBucket(bucket, query.aggregation));
        }
      }
    }
    if (query.max_samples_per_series > 0 && values.size() > query.max_samples_per_series) {
      const auto drop = static_cast<std::ptrdiff_t>(values.size() - query.max_samples_per_series);
      values.erase(values.begin(), values.begin() + drop);
      ts.erase(ts.begin(), ts.begin() + drop);
    }
  }
  // Sorted by (host, labels), unique within a metric.
  std::vector<SortKey> order;
  order.reserve(results.size());
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].values.empty()) order.push_back(sortKey(results[i], static_cast<uint32_t>(i)));
  }
  std::sort(order.begin(), order.end(),
            [&](const SortKey& a, const SortKey& b) { return before(a, b, results); });
  // Permuted in place rather than moved into a second vector: at 100,000 results
  // that vector is megabytes of fresh pages to fault in on every query.
  std::vector<uint32_t> source(results.size());
  std::vector<bool> placed(results.size());
  size_t next = 0;
  for (const SortKey& key : order) source[next++] = key.index;
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].values.empty()) source[next++] = static_cast<uint32_t>(i);
  }
  for (size_t start = 0; start < results.size(); ++start) {
    if (placed[start] || source[start] == start) continue;
    SeriesResult displaced = std::move(results[start]);
    size_t at = start;
    while (source[at] != start) {
      results[at] = std::move(results[source[at]]);
      placed[at] = true;
      at = source[at];
    }
    results[at] = std::move(displaced);
    placed[at] = true;
  }
  results.resize(order.size());
  return results;
}

std::string SampleStore::compact() {
  {
    // An empty commit with every head flushed: all open samples become chunks.
    WriteSet writes = beginWrite();
    flush_forced_ = true;
    flush_mark_ = std::numeric_limits<uint64_t>::max();
    if (std::string error = commit(writes); !error.empty()) return error;
  }
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (auto* handle : handles_) {
    auto status = db_->CompactRange(options, handle, nullptr, nullptr);
    if (!status.ok()) return status.ToString();
  }
  return {};
}

std::map<std::string, uint64_t> SampleStore::diskUsage() const {
  std::map<std::string, uint64_t> usage;
  uint64_t total = 0;
  for (auto* handle : handles_) {
    uint64_t bytes = 0;
    db_->GetIntProperty(handle, "rocksdb.total-sst-files-size", &bytes);
    usage[handle->GetName()] = bytes;
    total += bytes;
  }
  usage["total"] = total;
  return usage;
}

uint64_t SampleStore::headBytes() const {
  std::shared_lock lock(heads_mutex_);
  uint64_t bytes = heads_.capacity() * sizeof(heads_[0]);
  for (const auto& current : heads_) {
    if (current) bytes += sizeof(SeriesHead) + current->chunk.heapBytes();
  }
  return bytes;
}

}  // namespace tidemark::controller
