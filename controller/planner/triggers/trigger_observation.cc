#include "controller/planner/triggers/trigger_observation.h"

#include <cmath>

namespace tidemark::controller {

std::optional<TriggerObservation> observeHistory(const TriggerRule& rule,
                                                 std::span<const int64_t> timestamps_ms,
                                                 std::span<const double> values, int64_t max_gap_ms) {
  // NaN points (a bucket with nothing in it, a rate across a reset) are not data.
  size_t newest = values.size();
  while (newest > 0 && !std::isfinite(values[newest - 1])) --newest;
  if (newest == 0) return std::nullopt;
  TriggerObservation observation;
  observation.at_ms = timestamps_ms[newest - 1];
  observation.value = values[newest - 1];
  if (!rule.breached(observation.value)) return observation;
  int64_t since = observation.at_ms;
  for (size_t i = newest - 1; i-- > 0;) {
    if (!std::isfinite(values[i])) continue;
    if (!rule.breached(values[i]) || since - timestamps_ms[i] > max_gap_ms) break;
    since = timestamps_ms[i];
  }
  observation.breach_since_ms = since;
  return observation;
}

}  // namespace tidemark::controller
