#include "controller/remote_write/remote_write_exporter.h"

#include <curl/curl.h>

#include <algorithm>
#include <filesystem>

#include "controller/remote_write/export_record.h"

namespace tidemark::controller::remote_write {
namespace {

// Segments are an eighth of a shard's bound (within 64 KiB..64 MiB), so dropping the
// oldest segment to make room gives up about an eighth of the queue, not all of it.
uint64_t segmentBytes(uint64_t shard_bytes) {
  return std::clamp<uint64_t>(shard_bytes / 8, 64 << 10, 64 << 20);
}

size_t existingShards(const std::string& dir) {
  size_t count = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    if (name.size() == 8 && name.starts_with("shard-") && entry.is_directory()) {
      count = std::max<size_t>(count, std::stoul(name.substr(6)) + 1);
    }
  }
  return count;
}

std::string shardDir(const std::string& dir, size_t shard) {
  char name[32];
  std::snprintf(name, sizeof name, "/shard-%02zu", shard);
  return dir + name;
}

}  // namespace

size_t shardOf(uint64_t series_id, size_t shards) {
  uint64_t x = series_id + 0x9E3779B97F4A7C15ull;  // splitmix64's finalizer
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  x ^= x >> 31;
  return static_cast<size_t>(x % shards);
}

RemoteWriteExporter::RemoteWriteExporter(RemoteWriteOptions options, const SampleStore& store,
                                         const Clock& clock)
    : options_(std::move(options)), store_(store), clock_(clock), log_(clock, 60'000) {
  // Once per process, before any sender thread makes a handle (not thread-safe).
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const size_t shards =
      std::max<size_t>(static_cast<size_t>(options_.shards), existingShards(options_.queue_dir));
  const uint64_t shard_bytes = static_cast<uint64_t>(options_.queue_max_bytes) / shards;
  for (size_t shard = 0; shard < shards; ++shard) {
    queues_.push_back(std::make_unique<ShardQueue>(shardDir(options_.queue_dir, shard), shard_bytes,
                                                   segmentBytes(shard_bytes)));
  }
  for (size_t shard = 0; shard < shards; ++shard) {
    senders_.push_back(std::make_unique<ShardSender>(options_, *queues_[shard], counters_, clock_,
                                                     static_cast<int>(shard)));
  }
  pending_.resize(static_cast<size_t>(options_.shards));
}

RemoteWriteExporter::~RemoteWriteExporter() {
  senders_.clear();  // joins: nothing reads the queues after this
  for (auto& queue : queues_) queue->sync();
  queues_.clear();  // persists the cursors
  curl_global_cleanup();
}

void RemoteWriteExporter::flushShard(size_t shard, int64_t now_ms) {
  Pending& pending = pending_[shard];
  if (pending.samples == 0) return;
  if (std::string error = queues_[shard]->append(pending.payload, pending.samples, now_ms);
      !error.empty()) {
    log_.warn("append",
              "remote write: " + std::to_string(pending.samples) + " samples not queued: " + error);
  }
  pending.payload.clear();
  pending.samples = 0;
  senders_[shard]->wake();
}

void RemoteWriteExporter::onCommit(std::span<const CommittedSample> samples) {
  const int64_t now_ms = clock_.wallMs();
  const size_t shards = pending_.size();
  const uint64_t batch = static_cast<uint64_t>(options_.batch_size);
  auto& timestamps = timestamps_;
  auto& values = values_;
  for (size_t begin = 0; begin < samples.size();) {
    const uint64_t id = samples[begin].series_id;
    size_t end = begin;
    while (end < samples.size() && samples[end].series_id == id) ++end;
    if (!store_.describeSeries(id, description_)) {
      log_.warn("unknown", "remote write: series " + std::to_string(id) + " is not in the catalog");
      begin = end;
      continue;
    }
    exportLabels(description_.host, description_.metric, description_.labels, labels_);
    const size_t shard = shardOf(id, shards);
    Pending& pending = pending_[shard];
    // Records hold at most batch_size samples, so a request is whole records.
    while (begin < end) {
      const size_t take = std::min<size_t>(end - begin, batch - pending.samples);
      timestamps.resize(take);
      values.resize(take);
      for (size_t i = 0; i < take; ++i) {
        timestamps[i] = samples[begin + i].timestamp_ms;
        values[i] = samples[begin + i].value;
      }
      appendExportSeries(pending.payload, labels_, timestamps, values);
      pending.samples += static_cast<uint32_t>(take);
      begin += take;
      if (pending.samples >= batch) flushShard(shard, now_ms);
    }
  }
  for (size_t shard = 0; shard < shards; ++shard) flushShard(shard, now_ms);
}

RemoteWriteStats RemoteWriteExporter::stats() const {
  RemoteWriteStats stats;
  stats.samples_sent = counters_.sent;
  stats.samples_failed = counters_.failed;
  stats.shards = static_cast<uint32_t>(queues_.size());
  int64_t oldest = 0;
  for (const auto& queue : queues_) {
    const ShardQueueStats shard = queue->stats();
    stats.queue_bytes += shard.bytes;
    stats.samples_pending += shard.unsent_samples;
    stats.samples_dropped_queue += shard.dropped_samples;
    stats.damaged_regions += shard.damaged_regions;
    if (shard.oldest_unsent_ms > 0 && (oldest == 0 || shard.oldest_unsent_ms < oldest)) {
      oldest = shard.oldest_unsent_ms;
    }
  }
  stats.samples_dropped = counters_.dropped_http + stats.samples_dropped_queue;
  if (oldest > 0) stats.lag_seconds = std::max<double>(0, (clock_.wallMs() - oldest) / 1000.0);
  return stats;
}

}  // namespace tidemark::controller::remote_write
