// Reads the agent's last log line, "tidemark-agent stopped: samples_collected=N
// samples_acked=M samples_dropped=K", which integration tests compare with what
// the controller stored.
#pragma once

#include <cstdint>
#include <optional>
#include <regex>
#include <string>

namespace tidemark::testing {

struct StopCounts {
  uint64_t collected = 0;
  uint64_t acked = 0;
  uint64_t dropped = 0;
};

inline std::optional<StopCounts> parseStopLine(const std::string& log) {
  std::smatch match;
  static const std::regex pattern(
      R"(tidemark-agent stopped: samples_collected=(\d+) samples_acked=(\d+) samples_dropped=(\d+))");
  if (!std::regex_search(log, match, pattern)) return std::nullopt;
  return StopCounts{std::stoull(match[1]), std::stoull(match[2]), std::stoull(match[3])};
}

}  // namespace tidemark::testing
