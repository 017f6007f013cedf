// SampleStore's last-value path: the newest sample of each selected series as flat
// records pointing into the catalog's keys, so 100,000 series cost no allocation each
// (`tidemark query --last`, `tidemark ships`).
#include <rocksdb/db.h>

#include <algorithm>
#include <limits>
#include <mutex>

#include "common/errors/error.h"
#include "controller/store/chunk/chunk_codec.h"
#include "controller/store/key_codec.h"
#include "controller/store/label_filter.h"
#include "controller/store/prefix_order.h"
#include "controller/store/sample_store.h"
#include "controller/store/series_head.h"

namespace tidemark::controller {

namespace {

constexpr int64_t kMinTimestamp = std::numeric_limits<int64_t>::min();

// (host, labels), the order query() returns series in, packed so that sorting 100,000
// records mostly compares integers (host, first label's name and value) and reads the
// catalog's keys only when those cannot decide.
struct SortKey {
  uint64_t host_prefix = 0;
  uint64_t name_prefix = 0;
  uint64_t value_prefix = 0;
  uint32_t host_size = 0;
  uint32_t name_size = 0;
  uint32_t value_size = 0;
  uint32_t index = 0;
  bool has_labels = false;
};

SortKey sortKey(const LastValue& record, uint32_t index) {
  SortKey key;
  key.host_prefix = prefixOf(record.host);
  key.host_size = clampedSize(record.host.size());
  std::string_view rest = record.encoded_labels;
  LabelView first;
  key.has_labels = keys::nextLabel(rest, first);
  if (key.has_labels) {
    key.name_prefix = prefixOf(first.name);
    key.name_size = clampedSize(first.name.size());
    key.value_prefix = prefixOf(first.value);
    key.value_size = clampedSize(first.value.size());
  }
  key.index = index;
  return key;
}

bool before(const SortKey& a, const SortKey& b, const std::vector<LastValue>& records) {
  const LastValue& x = records[a.index];
  const LastValue& y = records[b.index];
  int by_host = comparePrefixes(a.host_prefix, a.host_size, b.host_prefix, b.host_size);
  if (by_host == kUndecided) by_host = x.host.compare(y.host);
  if (by_host != 0) return by_host < 0;
  if (!a.has_labels || !b.has_labels) return a.has_labels < b.has_labels;
  int by_first = comparePrefixes(a.name_prefix, a.name_size, b.name_prefix, b.name_size);
  if (by_first == 0) {
    by_first = comparePrefixes(a.value_prefix, a.value_size, b.value_prefix, b.value_size);
  }
  if (by_first != 0 && by_first != kUndecided) return by_first < 0;
  return keys::compareEncodedLabels(x.encoded_labels, y.encoded_labels) < 0;
}

}  // namespace

Labels LastValue::labels() const { return keys::decodeLabels(encoded_labels); }

std::string_view LastValue::label(std::string_view name) const {
  return keys::findLabel(encoded_labels, name);
}

bool SampleStore::newestChunkSample(uint64_t series_id, int64_t since_ms, int64_t until_ms,
                                    const rocksdb::Snapshot* snapshot, int64_t& timestamp_ms,
                                    double& value) const {
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot;
  const std::string lower = keys::chunkKey(series_id, kMinTimestamp, 0);
  rocksdb::Slice lower_slice(lower);
  read_options.iterate_lower_bound = &lower_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, chunks_cf_));
  bool found = false;
  std::vector<int64_t> chunk_ts;
  std::vector<double> chunk_values;
  // Backwards from the last chunk starting by `until`. Late chunks may start after a
  // chunk holding newer samples, so the walk goes on until no older chunk can reach
  // past what was found: a chunk spans at most max_chunk_span_ms.
  for (it->SeekForPrev(keys::chunkKey(series_id, until_ms, std::numeric_limits<uint64_t>::max()));
       it->Valid(); it->Prev()) {
    const auto key = it->key().ToStringView();
    const int64_t start_ms = keys::readTimestamp(key.substr(8, 8));
    const int64_t reach_ms = start_ms > std::numeric_limits<int64_t>::max() - options_.max_chunk_span_ms
                                 ? std::numeric_limits<int64_t>::max()
                                 : start_ms + options_.max_chunk_span_ms;
    if (reach_ms < since_ms || (found && reach_ms < timestamp_ms)) break;
    chunk_ts.clear();
    chunk_values.clear();
    try {
      chunk::decodeChunk(it->value().ToStringView(), chunk_ts, chunk_values);
    } catch (const StoreError& e) {
      throw StoreError("store " + options_.path + ": chunk of series " + std::to_string(series_id) +
                       " at " + std::to_string(start_ms) + ": " + e.what());
    }
    // Of equal timestamps query() keeps the first in key order: the chunk met last
    // here, and the first within a chunk.
    for (size_t i = chunk_ts.size(); i-- > 0;) {
      const int64_t ts = chunk_ts[i];
      if (ts < since_ms || ts > until_ms) continue;
      if (found && ts < timestamp_ms) continue;
      found = true;
      timestamp_ms = ts;
      value = chunk_values[i];
    }
  }
  if (!it->status().ok()) {
    throw StoreError("store " + options_.path + ": reading the newest chunk of series " +
                     std::to_string(series_id) + ": " + it->status().ToString());
  }
  return found;
}

std::vector<LastValue> SampleStore::lastValues(const SeriesQuery& query) const {
  const LabelFilter filter(query.matchers);
  std::vector<LastValue> results;
  const std::vector<uint64_t> candidates = catalog_.select(query.metric, query.host);
  results.reserve(candidates.size());
  catalog_.forEachKey(candidates, [&](uint64_t id, std::string_view key) {
    keys::SeriesKeyView view;
    if (!keys::viewSeriesKey(key, view) || !filter.accepts(view.encoded_labels)) return;
    LastValue& last = results.emplace_back();
    last.series_id = id;
    last.host = view.host;
    last.metric = view.metric;
    last.encoded_labels = view.encoded_labels;
  });

  // Heads first, under the lock that also pins the snapshot for those whose head has
  // nothing in range (a seal in between would otherwise hide their newest sample).
  std::vector<uint32_t> from_chunks;
  const rocksdb::Snapshot* snapshot = nullptr;
  {
    std::shared_lock lock(heads_mutex_);
    for (size_t i = 0; i < results.size(); ++i) {
      const SeriesHead* current = head(results[i].series_id);
      if (current && !current->empty()) {
        const int64_t last = current->chunk.lastTimestampMs();
        if (last >= query.since_ms && last <= query.until_ms) {
          results[i].timestamp_ms = last;
          results[i].value = current->chunk.lastValue();
          continue;
        }
        if (current->chunk.firstTimestampMs() <= query.until_ms && last > query.until_ms) {
          // Rare (an `until` inside the open chunk): the newest in range is in the head.
          std::vector<int64_t> ts;
          std::vector<double> values;
          current->chunk.decode(ts, values);
          const auto end = std::upper_bound(ts.begin(), ts.end(), query.until_ms);
          if (end != ts.begin() && *(end - 1) >= query.since_ms) {
            results[i].timestamp_ms = *(end - 1);
            results[i].value = values[static_cast<size_t>(end - 1 - ts.begin())];
            continue;
          }
        }
      }
      from_chunks.push_back(static_cast<uint32_t>(i));
    }
    if (!from_chunks.empty()) snapshot = db_->GetSnapshot();
  }
  if (!from_chunks.empty()) {
    struct SnapshotRelease {
      rocksdb::DB* db;
      const rocksdb::Snapshot* snapshot;
      ~SnapshotRelease() { db->ReleaseSnapshot(snapshot); }
    } release{db_.get(), snapshot};
    // Raw data older than its retention may wait for a compaction: never return it.
    const int64_t raw_since = options_.raw_retention_ms > 0
                                  ? std::max(query.since_ms, nowMs() - options_.raw_retention_ms)
                                  : query.since_ms;
    std::vector<bool> missing(results.size());
    for (uint32_t i : from_chunks) {
      missing[i] = !newestChunkSample(results[i].series_id, raw_since, query.until_ms, snapshot,
                                      results[i].timestamp_ms, results[i].value);
    }
    size_t kept = 0;
    for (size_t i = 0; i < results.size(); ++i) {
      if (!missing[i]) results[kept++] = results[i];
    }
    results.resize(kept);
  }
  std::vector<SortKey> order(results.size());
  for (size_t i = 0; i < results.size(); ++i) {
    order[i] = sortKey(results[i], static_cast<uint32_t>(i));
  }
  std::sort(order.begin(), order.end(),
            [&](const SortKey& a, const SortKey& b) { return before(a, b, results); });
  std::vector<LastValue> sorted;
  sorted.reserve(results.size());
  for (const SortKey& key : order) sorted.push_back(results[key.index]);
  return sorted;
}

}  // namespace tidemark::controller
