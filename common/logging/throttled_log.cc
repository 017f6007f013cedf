#include "common/logging/throttled_log.h"

namespace tidemark {

bool ThrottledLog::warn(const std::string& key, const std::string& message) {
  const int64_t now = clock_.monotonicMs();
  auto [it, inserted] = last_logged_ms_.try_emplace(key, now);
  if (!inserted) {
    if (now - it->second < period_ms_) return false;
    it->second = now;
  }
  spdlog::warn("{}", message);
  return true;
}

}  // namespace tidemark
