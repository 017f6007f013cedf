// Batches the controller has not acknowledged yet, oldest first. Bounded: when
// full, the oldest batches are dropped and counted, never the newest, and never
// a crash. (This in-memory outbox is replaced by a disk-backed one behind the same
// interface so batches survive agent restarts.)
#pragma once

#include <cstdint>
#include <deque>

#include "common/wire/agent_link_codec.h"

namespace tidemark::agent {

struct OutboxOptions {
  // Most batches kept. Default: 8640 (a day at a 10 s interval).
  size_t max_batches = 8640;
  // Most sample bytes kept (16 bytes a sample). Default: 64 MiB.
  size_t max_bytes = 64u << 20;
};

struct PendingBatch {
  wire::MetricBatchData batch;
  int64_t sent_at_ms = -1;  // monotonic; -1 while not sent since the last (re)send request
};

class Outbox {
 public:
  explicit Outbox(OutboxOptions options) : options_(options) {}

  // Appends a batch; drops the oldest while over a bound. Returns how many were dropped.
  size_t push(wire::MetricBatchData batch);

  // Removes every batch with sequence <= `sequence` and calls `on_remove` for each.
  template <typename F>
  size_t acknowledgeThrough(uint64_t sequence, F&& on_remove) {
    size_t removed = 0;
    while (!pending_.empty() && pending_.front().batch.sequence <= sequence) {
      on_remove(pending_.front().batch);
      bytes_ -= bytesOf(pending_.front().batch);
      pending_.pop_front();
      ++removed;
    }
    return removed;
  }

  // Drops the one batch with this sequence (the controller refused it for good).
  bool drop(uint64_t sequence);

  // Marks every batch from `sequence` on as unsent, so the next send starts there.
  void resendFrom(uint64_t sequence);

  std::deque<PendingBatch>& pending() { return pending_; }
  const std::deque<PendingBatch>& pending() const { return pending_; }
  bool empty() const { return pending_.empty(); }
  size_t size() const { return pending_.size(); }
  uint64_t droppedBatches() const { return dropped_batches_; }
  uint64_t droppedSamples() const { return dropped_samples_; }
  // The oldest sequence still held; `next_sequence` when empty.
  uint64_t oldestSequence(uint64_t next_sequence) const {
    return pending_.empty() ? next_sequence : pending_.front().batch.sequence;
  }

 private:
  static size_t bytesOf(const wire::MetricBatchData& batch) { return batch.values.size() * 16 + 64; }

  OutboxOptions options_;
  std::deque<PendingBatch> pending_;
  size_t bytes_ = 0;
  uint64_t dropped_batches_ = 0;
  uint64_t dropped_samples_ = 0;
};

}  // namespace tidemark::agent
