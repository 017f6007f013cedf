#include "common/logging/throttled_log.h"

namespace tidemark {

bool ThrottledLog::warn(const std::string& key, const std::string& message) {
  const int64_t now = clock_.monotonicMs();
  auto [it, inserted] = entries_.try_emplace(key, Entry{now, 0});
  Entry& entry = it->second;
  if (!inserted) {
    if (now - entry.last_logged_ms < period_ms_) {
      ++entry.suppressed;
      return false;
    }
    entry.last_logged_ms = now;
  }
  if (entry.suppressed > 0) {
    spdlog::warn("{} ({} similar suppressed since the last report)", message, entry.suppressed);
    entry.suppressed = 0;
  } else {
    spdlog::warn("{}", message);
  }
  return true;
}

}  // namespace tidemark
