// Exports every sample the store commits to a Prometheus remote-write endpoint.
//
// Ingest never waits for the remote: the store's commit listener (called after the
// RocksDB write succeeded, agent batches and `tidemark import` alike) copies the
// commit's samples, labelled for export, into an on-disk queue of one ShardQueue per
// shard (a series always lands in the same shard, by a hash of its id, so its
// samples go out in order); each shard's ShardSender delivers them with retries.
//
//   DATA_DIR/remote_write/shard-00/00000001.seg ... cursor
//
// A folder of more shards than configured (the setting was lowered) is still
// drained by a sender of its own; it only gets no new records.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/logging/throttled_log.h"
#include "common/time/clock.h"
#include "controller/remote_write/remote_write_options.h"
#include "controller/remote_write/remote_write_stats.h"
#include "controller/remote_write/shard_queue.h"
#include "controller/remote_write/shard_sender.h"
#include "controller/store/sample_store.h"

namespace tidemark::controller::remote_write {

class RemoteWriteExporter {
 public:
  // Opens the queue under options.queue_dir and starts the senders. Throws
  // std::runtime_error naming the path when the queue cannot be opened.
  RemoteWriteExporter(RemoteWriteOptions options, const SampleStore& store, const Clock& clock);
  // Stops the senders (a request in flight is abandoned and sent again next start)
  // and makes the queue durable.
  ~RemoteWriteExporter();

  // SampleStore's commit listener: enqueues the samples. Called with the store's write
  // lock held; never blocks on the remote.
  void onCommit(std::span<const CommittedSample> samples);

  RemoteWriteStats stats() const;

 private:
  void flushShard(size_t shard, int64_t now_ms);

  RemoteWriteOptions options_;
  const SampleStore& store_;
  const Clock& clock_;
  ThrottledLog log_;  // ingest thread only
  std::vector<std::unique_ptr<ShardQueue>> queues_;
  SenderCounters counters_;
  std::vector<std::unique_ptr<ShardSender>> senders_;
  // Per shard, the record being built during onCommit (reused).
  struct Pending {
    std::string payload;
    uint32_t samples = 0;
  };
  std::vector<Pending> pending_;
  SeriesDescription description_;
  std::vector<LabelView> labels_;
  std::vector<int64_t> timestamps_;
  std::vector<double> values_;
};

// The shard of a series: a mix of its id, so neighbouring ids spread evenly.
size_t shardOf(uint64_t series_id, size_t shards);

}  // namespace tidemark::controller::remote_write
