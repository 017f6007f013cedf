// Time source injected into everything that schedules or timestamps, so tests can
// drive schedules, backoff and retention with a manual clock instead of sleeping.
#pragma once

#include <chrono>
#include <cstdint>

namespace tidemark {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time in milliseconds since the Unix epoch: what samples are stamped with.
  virtual int64_t wallMs() const = 0;
  // Monotonic time in milliseconds: what intervals and timeouts are measured with.
  virtual int64_t monotonicMs() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t wallMs() const override;
  int64_t monotonicMs() const override;
};

// A clock that moves only when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 1'700'000'000'000) : wall_ms_(start_ms) {}
  int64_t wallMs() const override { return wall_ms_; }
  int64_t monotonicMs() const override { return monotonic_ms_; }
  void advanceMs(int64_t ms) {
    wall_ms_ += ms;
    monotonic_ms_ += ms;
  }

 private:
  int64_t wall_ms_;
  int64_t monotonic_ms_ = 0;
};

}  // namespace tidemark
