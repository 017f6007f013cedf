// Per-second rates and increases of monotonic counters (node_exporter's *_total), as
// the store keeps them raw: the planner turns them into utilisation at query time.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace tidemark::controller::planner {

struct CounterIncrease {
  int64_t timestamp_ms = 0;  // the later of the two points
  double increase = 0;       // how much the counter grew since the previous point
  double seconds = 0;        // time between the two points
};

// The increase between each pair of adjacent points, oldest first. A counter that
// went down was reset (a reboot, an agent restart): like Prometheus' rate(), the
// increase is then its new value. Pairs with no time between them are skipped.
std::vector<CounterIncrease> counterIncreases(std::span<const int64_t> timestamps_ms,
                                              std::span<const double> values);

}  // namespace tidemark::controller::planner
