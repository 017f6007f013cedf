// What to do with a remote-write request after its answer, and how long to wait
// before trying it again. Pure: the random source is injected, so tests pin it.
#pragma once

#include <cstdint>
#include <functional>

#include "controller/remote_write/http_sender.h"

namespace tidemark::controller::remote_write {

enum class SendOutcome {
  kDelivered,  // 2xx
  kRetry,      // 5xx, 429, or no answer (connection refused, timeout, TLS failure)
  kDrop,       // any other status: the remote will never take this request
};

SendOutcome classify(const HttpResult& result);

// Exponential backoff with jitter: the n-th retry waits a random time in
// [ceiling/2, ceiling], ceiling = min(max, min * 2^n); the floor keeps a fleet of
// controllers from hammering a remote that just came back (full jitter can be 0).
// A Retry-After from the remote (429) is honoured instead, up to 5 min.
class RetryBackoff {
 public:
  using Random = std::function<uint64_t()>;
  static constexpr int64_t kMinMs = 100;
  static constexpr int64_t kMaxMs = 30'000;
  static constexpr int64_t kMaxRetryAfterMs = 300'000;

  // A null `random` uses a std::mt19937_64 seeded from std::random_device.
  explicit RetryBackoff(Random random = {});

  // The wait before the next attempt; `retry_after_ms` >= 0 when the remote said.
  int64_t next(int64_t retry_after_ms = -1);
  void reset() { attempt_ = 0; }
  int attempt() const { return attempt_; }

 private:
  Random random_;
  int attempt_ = 0;
};

}  // namespace tidemark::controller::remote_write
