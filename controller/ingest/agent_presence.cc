#include "controller/ingest/agent_presence.h"

#include <algorithm>

namespace tidemark::controller {

void AgentPresence::seen(const std::string& host, int64_t monotonic_ms, uint32_t interval_ms) {
  std::lock_guard lock(mutex_);
  auto& entry = entries_[host];
  entry.last_seen_ms = monotonic_ms;
  if (interval_ms > 0) entry.interval_ms = interval_ms;
}

bool AgentPresence::fresh(const Entry& entry, int64_t now_ms) {
  const int64_t window = std::max<int64_t>(3 * int64_t{entry.interval_ms} + 5'000, 30'000);
  return now_ms - entry.last_seen_ms <= window;
}

bool AgentPresence::connected(const std::string& host, int64_t monotonic_ms) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(host);
  return it != entries_.end() && fresh(it->second, monotonic_ms);
}

size_t AgentPresence::connectedCount(int64_t monotonic_ms) const {
  std::lock_guard lock(mutex_);
  return std::count_if(entries_.begin(), entries_.end(),
                       [&](const auto& entry) { return fresh(entry.second, monotonic_ms); });
}

}  // namespace tidemark::controller
