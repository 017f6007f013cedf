// Which agents are connected right now, judged by when each last sent anything
// relative to its own interval. Written by the ingest thread, read by admin.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace tidemark::controller {

class AgentPresence {
 public:
  void seen(const std::string& host, int64_t monotonic_ms, uint32_t interval_ms);
  // Connected when the host sent something within max(3 intervals + 5 s, 30 s).
  bool connected(const std::string& host, int64_t monotonic_ms) const;
  size_t connectedCount(int64_t monotonic_ms) const;

 private:
  struct Entry {
    int64_t last_seen_ms = 0;
    uint32_t interval_ms = 10'000;
  };
  static bool fresh(const Entry& entry, int64_t now_ms);

  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace tidemark::controller
