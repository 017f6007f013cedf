// Logs a recurring problem (a malformed /proc file read every interval) once per
// period instead of on every collection, so a bad fixture or kernel quirk cannot
// flood the journal. Not thread-safe: one instance per collecting thread.
#pragma once

#include <spdlog/spdlog.h>

#include <cstdint>
#include <string>
#include <unordered_map>

#include "common/time/clock.h"

namespace tidemark {

class ThrottledLog {
 public:
  explicit ThrottledLog(const Clock& clock, int64_t period_ms = 3'600'000)
      : clock_(clock), period_ms_(period_ms) {}

  // Logs `message` at warning level unless the same `key` was logged within the
  // period; a line written after suppressions says how many were suppressed. Keys
  // name the kind of problem and its source, never variable details, so a flood of
  // slightly different messages still costs one line a period. Returns true when
  // the line was written.
  bool warn(const std::string& key, const std::string& message);

  // As warn(), but calls `make_message()` (returning std::string) only when the line
  // is written, so a problem that recurs every interval allocates nothing while it is
  // suppressed (the caller keeps `key` in a reused string).
  template <typename MakeMessage>
  bool warnLazily(const std::string& key, MakeMessage&& make_message) {
    uint64_t suppressed = 0;
    if (!admit(key, suppressed)) return false;
    write(make_message(), suppressed);
    return true;
  }

 private:
  // Whether a line for `key` is due now; `suppressed` says how many were held back.
  bool admit(const std::string& key, uint64_t& suppressed);
  void write(const std::string& message, uint64_t suppressed);

  struct Entry {
    int64_t last_logged_ms = 0;
    uint64_t suppressed = 0;
  };
  const Clock& clock_;
  int64_t period_ms_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace tidemark
