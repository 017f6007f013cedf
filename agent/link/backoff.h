// Reconnect delays: exponential backoff with full jitter. The n-th retry after a
// failure waits a uniformly random time in [0, min(cap, base * 2^n)], so a fleet
// that lost its controller at the same instant comes back spread over the whole
// window instead of in one thundering second (libzmq's own reconnect interval has
// no jitter). Pure: the random source is injected.
#pragma once

#include <cstdint>
#include <functional>

namespace tidemark::agent {

struct BackoffOptions {
  // Ceiling of the first delay. Default: 1 s.
  int64_t base_ms = 1'000;
  // Largest ceiling. Default: 60 s.
  int64_t cap_ms = 60'000;
};

class Backoff {
 public:
  // Uniformly distributed 64-bit values.
  using Random = std::function<uint64_t()>;

  // A null `random` uses a std::mt19937_64 seeded from std::random_device.
  explicit Backoff(BackoffOptions options, Random random = {});

  // The delay before the next attempt, then one more attempt counted.
  int64_t next();
  // After a successful connection: the next failure starts from the base again.
  void reset() { attempt_ = 0; }

  // Attempts since the last reset.
  int attempt() const { return attempt_; }
  // The current attempt's ceiling: min(cap, base * 2^attempt).
  int64_t ceilingMs() const;

 private:
  BackoffOptions options_;
  Random random_;
  int attempt_ = 0;
};

}  // namespace tidemark::agent
