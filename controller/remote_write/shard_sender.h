// One shard's sender thread: takes batches off its ShardQueue (full ones at once,
// a partial one when its oldest sample waited flush_interval), encodes them into a
// WriteRequest, compresses it with snappy, POSTs it, and only when the remote
// answered moves the queue's cursor past it. A request that failed with a retryable
// answer is sent again (the same bytes) after a backoff until it goes through or
// the controller stops; the queue keeps filling meanwhile, on disk.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "common/logging/throttled_log.h"
#include "common/time/clock.h"
#include "controller/remote_write/http_sender.h"
#include "controller/remote_write/remote_write_options.h"
#include "controller/remote_write/remote_write_stats.h"
#include "controller/remote_write/retry_policy.h"
#include "controller/remote_write/shard_queue.h"
#include "controller/remote_write/write_request_encoder.h"

namespace tidemark::controller::remote_write {

// Encodes the records' series into one WriteRequest and snappy-compresses it into
// `compressed`. Returns false when a record's payload is malformed.
class RequestBuilder {
 public:
  void clear() { encoder_.clear(); }
  bool add(std::string_view record_payload);
  // The compressed request (valid until the next call).
  const std::string& compress();
  size_t uncompressedBytes() const { return encoder_.bytes().size(); }

 private:
  WriteRequestEncoder encoder_;
  std::string compressed_;
};

class ShardSender {
 public:
  ShardSender(const RemoteWriteOptions& options, ShardQueue& queue, SenderCounters& counters,
              const Clock& clock, int index);
  ~ShardSender();  // stops and joins

  // New records are in the queue: look whether a batch is due.
  void wake();

 private:
  void run();
  // Waits until a batch is due (or stop); true when one is.
  bool waitForBatch();
  // Sleeps `ms` unless stopped first.
  void pause(int64_t ms);

  const RemoteWriteOptions& options_;
  ShardQueue& queue_;
  SenderCounters& counters_;
  const Clock& clock_;
  const int index_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  HttpSender http_;
  RetryBackoff backoff_;
  RequestBuilder request_;
  ThrottledLog log_;
  std::thread thread_;
};

}  // namespace tidemark::controller::remote_write
