// Synthetic capacity histories with known answers, as OpenMetrics for `tidemark import`:
// a pier that packs weekly (a sawtooth whose floor rises), a filesystem filling
// linearly, a flat loom and, optionally, a CPU counter for rates.
#pragma once

#include <cstdint>
#include <string>

namespace tidemark::testing {

constexpr double kDaySeconds = 86'400;
constexpr double kGB = 1e9;

struct CapacityHistory {
  int64_t start = 0;  // seconds; on the hour
  std::string text;   // OpenMetrics, ending `# EOF`

  // The generating formulas, t in days since `start`.
  static double pier(double t);
  static double disk(double t);
  static constexpr double kPierCapacity = 70 * kGB / 0.85;
};

// `days` days at 5 min on the hour, ending ~10 min before `now` (seconds). Every
// series carries `host="HOST"`; `with_cpu` adds two node_cpu_seconds_total counters.
CapacityHistory capacityHistory(int64_t now, int days, bool with_cpu,
                                const std::string& host = "web");

}  // namespace tidemark::testing
