// What each rule watches, read from the store: the planner's resource series (used
// fraction or amount per host, filesystem, device, ship), the ship list for ships per
// host and ships down, a Theil-Sen slope of pier size for growth, or a raw metric.
// One observation per subject (host + labels) that has recent data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/metrics/series.h"
#include "controller/history/history_source.h"
#include "controller/planner/triggers/trigger_rule.h"
#include "controller/planner/triggers/trigger_state.h"

namespace tidemark::controller {

struct TriggerSubject {
  std::string host;
  Labels labels;  // sorted by name; empty for a host-wide subject
  TriggerObservation observation;
};

// Subjects whose newest point is older than this are left out (their states expire):
// a host that stopped reporting has no current disk use. Ship rules judge staleness
// themselves (a silent ship is down).
inline constexpr int64_t kTriggerStaleAfterMs = 15 * 60'000;
// A ship silent this long is taken as removed, not down.
inline constexpr int64_t kShipForgottenAfterMs = 7 * 24 * 3'600'000LL;
// Pier growth is the slope over this long a history of the pier's post-pack floors.
inline constexpr int64_t kPierGrowthWindowMs = 30 * 24 * 3'600'000LL;

// Reads the history the rule needs at `now_ms` and observes every subject.
// Throws StoreError when the history cannot be read.
std::vector<TriggerSubject> observeRule(const HistorySource& history, const TriggerRule& rule,
                                        int64_t now_ms);

// The bucket width a rule's history is read with: fine for short durations, the
// store's rollups for long ones (7 days of RAM reads 1 h rollups).
int64_t triggerStepMs(int64_t duration_ms);

}  // namespace tidemark::controller
