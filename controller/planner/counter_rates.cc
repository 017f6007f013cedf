#include "controller/planner/counter_rates.h"

#include <algorithm>

namespace tidemark::controller::planner {

std::vector<CounterIncrease> counterIncreases(std::span<const int64_t> timestamps_ms,
                                              std::span<const double> values) {
  std::vector<CounterIncrease> out;
  const size_t count = std::min(timestamps_ms.size(), values.size());
  if (count < 2) return out;
  out.reserve(count - 1);
  for (size_t i = 1; i < count; ++i) {
    const int64_t elapsed_ms = timestamps_ms[i] - timestamps_ms[i - 1];
    if (elapsed_ms <= 0) continue;
    const double delta = values[i] - values[i - 1];
    out.push_back({timestamps_ms[i], delta >= 0 ? delta : values[i],
                   static_cast<double>(elapsed_ms) / 1000.0});
  }
  return out;
}

}  // namespace tidemark::controller::planner
