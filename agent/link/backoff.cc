#include "agent/link/backoff.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <random>

namespace tidemark::agent {

Backoff::Backoff(BackoffOptions options, Random random)
    : options_(options), random_(std::move(random)) {
  options_.base_ms = std::max<int64_t>(options_.base_ms, 1);
  options_.cap_ms = std::max<int64_t>(options_.cap_ms, 0);
  if (!random_) {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    random_ = [engine] { return (*engine)(); };
  }
}

int64_t Backoff::ceilingMs() const {
  // base * 2^attempt without overflow: stop doubling once past the cap.
  int64_t ceiling = options_.base_ms;
  for (int i = 0; i < attempt_ && ceiling < options_.cap_ms; ++i) ceiling *= 2;
  return std::min(ceiling, options_.cap_ms);
}

int64_t Backoff::next() {
  const auto ceiling = static_cast<uint64_t>(ceilingMs());
  // Inclusive range; the modulo bias over 2^64 values is far below a millisecond.
  const auto delay = static_cast<int64_t>(random_() % (ceiling + 1));
  if (attempt_ < std::numeric_limits<int>::max()) ++attempt_;
  return delay;
}

}  // namespace tidemark::agent
