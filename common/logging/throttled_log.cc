#include "common/logging/throttled_log.h"

namespace tidemark {

bool ThrottledLog::warn(const std::string& key, const std::string& message) {
  uint64_t suppressed = 0;
  if (!admit(key, suppressed)) return false;
  write(message, suppressed);
  return true;
}

bool ThrottledLog::admit(const std::string& key, uint64_t& suppressed) {
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
  suppressed = entry.suppressed;
  entry.suppressed = 0;
  return true;
}

void ThrottledLog::write(const std::string& message, uint64_t suppressed) {
  if (suppressed > 0) {
    spdlog::warn("{} ({} similar suppressed since the last report)", message, suppressed);
  } else {
    spdlog::warn("{}", message);
  }
}

}  // namespace tidemark
