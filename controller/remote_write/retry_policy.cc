#include "controller/remote_write/retry_policy.h"

#include <algorithm>
#include <memory>
#include <random>

namespace tidemark::controller::remote_write {

SendOutcome classify(const HttpResult& result) {
  if (result.status >= 200 && result.status < 300) return SendOutcome::kDelivered;
  if (result.status == 0 || result.status == 429 || result.status >= 500)
    return SendOutcome::kRetry;
  return SendOutcome::kDrop;
}

RetryBackoff::RetryBackoff(Random random) : random_(std::move(random)) {
  if (!random_) {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    random_ = [engine] { return (*engine)(); };
  }
}

int64_t RetryBackoff::next(int64_t retry_after_ms) {
  const int shift = std::min(attempt_, 20);
  ++attempt_;
  if (retry_after_ms >= 0) return std::clamp(retry_after_ms, kMinMs, kMaxRetryAfterMs);
  const int64_t ceiling = std::min(kMaxMs, kMinMs << shift);
  const int64_t half = ceiling / 2;
  return std::max(kMinMs, half + static_cast<int64_t>(random_() % static_cast<uint64_t>(half + 1)));
}

}  // namespace tidemark::controller::remote_write
