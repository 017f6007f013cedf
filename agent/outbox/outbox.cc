#include "agent/outbox/outbox.h"

namespace tidemark::agent {

size_t Outbox::push(wire::MetricBatchData batch) {
  bytes_ += bytesOf(batch);
  pending_.push_back(PendingBatch{std::move(batch), -1});
  size_t dropped = 0;
  while (pending_.size() > 1 &&
         (pending_.size() > options_.max_batches || bytes_ > options_.max_bytes)) {
    bytes_ -= bytesOf(pending_.front().batch);
    dropped_samples_ += pending_.front().batch.values.size();
    pending_.pop_front();
    ++dropped_batches_;
    ++dropped;
  }
  return dropped;
}

bool Outbox::drop(uint64_t sequence) {
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (it->batch.sequence == sequence) {
      bytes_ -= bytesOf(it->batch);
      dropped_samples_ += it->batch.values.size();
      ++dropped_batches_;
      pending_.erase(it);
      return true;
    }
  }
  return false;
}

void Outbox::resendFrom(uint64_t sequence) {
  for (auto& pending : pending_) {
    if (pending.batch.sequence >= sequence) pending.sent_at_ms = -1;
  }
}

}  // namespace tidemark::agent
