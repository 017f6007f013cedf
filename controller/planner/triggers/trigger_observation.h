// Turns a history (oldest first) into the observation the state machine takes: the
// newest value and how long the rule's condition has held without a break.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "controller/planner/triggers/trigger_rule.h"
#include "controller/planner/triggers/trigger_state.h"

namespace tidemark::controller {

// Nullopt when the history is empty. A gap longer than `max_gap_ms` between two
// points breaks the run (nothing is known about the condition in the gap).
std::optional<TriggerObservation> observeHistory(const TriggerRule& rule,
                                                 std::span<const int64_t> timestamps_ms,
                                                 std::span<const double> values, int64_t max_gap_ms);

}  // namespace tidemark::controller
