#include "controller/planner/triggers/trigger_sources.h"

#include <algorithm>
#include <map>

#include "controller/admin/ship_status.h"
#include "controller/planner/forecast.h"
#include "controller/planner/resource_series.h"
#include "controller/planner/triggers/trigger_observation.h"

namespace tidemark::controller {

namespace {

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kHourMs = 60 * kMinuteMs;
constexpr double kDayMs = 24.0 * kHourMs;
constexpr double kMonthDays = 30;

// Points may be missing (an agent restart, a late batch) without breaking a run.
int64_t maxGapMs(int64_t step_ms) { return std::max<int64_t>(3 * step_ms, 5 * kMinuteMs); }

bool fresh(const TriggerObservation& observation, int64_t step_ms, int64_t now_ms) {
  return now_ms - observation.at_ms <= std::max(kTriggerStaleAfterMs, 2 * step_ms);
}

planner::Resource plannerResource(TriggerResource resource) {
  switch (resource) {
    case TriggerResource::kMemory: return planner::Resource::kMemory;
    case TriggerResource::kDisk: return planner::Resource::kDisk;
    case TriggerResource::kCpu: return planner::Resource::kCpu;
    case TriggerResource::kDiskIo: return planner::Resource::kIo;
    case TriggerResource::kNetwork: return planner::Resource::kNetwork;
    case TriggerResource::kLoom: return planner::Resource::kLoom;
    default: break;
  }
  throw std::logic_error("trigger resource " + std::string(resourceName(resource)) +
                         " has no planner resource series");
}

// The window a rule's condition is judged over: its duration, two steps of slack so
// a run that covers it is seen whole, and at least as far back as a value still counts
// as fresh (a host scraped every 5 min, or imported history, is judged too).
planner::ResourceWindow windowFor(const TriggerRule& rule, int64_t now_ms) {
  planner::ResourceWindow window;
  window.step_ms = triggerStepMs(rule.duration_ms);
  window.since_ms = now_ms - std::max({rule.duration_ms + 2 * window.step_ms, 5 * window.step_ms,
                                       kTriggerStaleAfterMs});
  window.until_ms = now_ms;
  return window;
}

std::vector<TriggerSubject> observeResource(const HistorySource& history, const TriggerRule& rule,
                                            int64_t now_ms) {
  const planner::ResourceWindow window = windowFor(rule, now_ms);
  std::vector<TriggerSubject> subjects;
  for (const auto& series :
       planner::readResource(history, plannerResource(rule.resource), window)) {
    // A ratio rule needs the capacity (a link without a known speed has none).
    const std::vector<double>& values = rule.ratio ? series.ratio : series.used;
    if (values.size() != series.timestamps_ms.size()) continue;
    auto observation = observeHistory(rule, series.timestamps_ms, values, maxGapMs(window.step_ms));
    if (!observation || !fresh(*observation, window.step_ms, now_ms)) continue;
    subjects.push_back({series.host, series.labels, *observation});
  }
  return subjects;
}

std::vector<TriggerSubject> observeMetric(const HistorySource& history, const TriggerRule& rule,
                                          int64_t now_ms) {
  const planner::ResourceWindow window = windowFor(rule, now_ms);
  SeriesQuery query;
  query.metric = rule.metric;
  query.since_ms = window.since_ms;
  query.until_ms = now_ms;
  query.step_ms = window.step_ms;
  query.aggregation = Aggregation::kAvg;
  std::vector<TriggerSubject> subjects;
  for (const auto& series : history.query(query)) {
    auto observation =
        observeHistory(rule, series.timestamps_ms, series.values, maxGapMs(window.step_ms));
    if (!observation || !fresh(*observation, window.step_ms, now_ms)) continue;
    subjects.push_back({series.host, series.labels, *observation});
  }
  return subjects;
}

// Ships are judged now, from the newest sample of each (see ship_status.h); how long
// a ship has been down is counted by the state machine across evaluations.
std::vector<TriggerSubject> observeShips(const HistorySource& history, const TriggerRule& rule,
                                         int64_t now_ms) {
  std::vector<TriggerSubject> subjects;
  std::map<std::string, int> up_by_host;
  for (const ShipStatus& ship : readShipStatuses(history, "", now_ms)) {
    if (ship.up_sample_ms == 0 || now_ms - ship.up_sample_ms > kShipForgottenAfterMs) continue;
    up_by_host[ship.host] += ship.up ? 1 : 0;
    if (rule.resource != TriggerResource::kShipDown) continue;
    TriggerObservation observation{now_ms, ship.up ? 0.0 : 1.0, 0};
    if (rule.breached(observation.value)) {
      // Silent (stale) ships have been down at least since they were last heard of.
      observation.breach_since_ms = ship.up_sample_ms + ship.stale_after_ms < now_ms
                                        ? ship.up_sample_ms + ship.stale_after_ms
                                        : now_ms;
    }
    subjects.push_back({ship.host, {{"pier", ship.pier}, {"ship", ship.ship}}, observation});
  }
  if (rule.resource == TriggerResource::kShips) {
    for (const auto& [host, up] : up_by_host) {
      TriggerObservation observation{now_ms, static_cast<double>(up), 0};
      if (rule.breached(observation.value)) observation.breach_since_ms = now_ms;
      subjects.push_back({host, {}, observation});
    }
  }
  return subjects;
}

// Growth per month of each pier: the planner's forecast slope (for a pier that packs,
// the slope of its post-pack floors, so the weekly drops neither hide nor fake growth).
std::vector<TriggerSubject> observePierGrowth(const HistorySource& history, const TriggerRule& rule,
                                              int64_t now_ms) {
  planner::ResourceWindow window;
  window.since_ms = now_ms - kPierGrowthWindowMs;
  window.until_ms = now_ms;
  window.step_ms = kHourMs;
  std::vector<TriggerSubject> subjects;
  for (const auto& series : planner::readResource(history, planner::Resource::kPier, window)) {
    const auto& t = series.timestamps_ms;
    // Less than a day of history says nothing about a month.
    if (t.size() < planner::kMinForecastPoints || t.back() - t.front() < kDayMs ||
        now_ms - t.back() > kTriggerStaleAfterMs + kHourMs) {
      continue;
    }
    const planner::Forecast forecast = planner::forecastSeries(series, /*threshold=*/1.0);
    TriggerObservation observation{t.back(), forecast.monthly_growth, 0};
    if (rule.breached(observation.value)) observation.breach_since_ms = t.back();
    subjects.push_back({series.host, series.labels, observation});
  }
  return subjects;
}

}  // namespace

int64_t triggerStepMs(int64_t duration_ms) {
  if (duration_ms <= 3 * kHourMs) return kMinuteMs;
  if (duration_ms <= 2 * 24 * kHourMs) return 5 * kMinuteMs;
  return kHourMs;
}

std::vector<TriggerSubject> observeRule(const HistorySource& history, const TriggerRule& rule,
                                        int64_t now_ms) {
  switch (rule.resource) {
    case TriggerResource::kMetric: return observeMetric(history, rule, now_ms);
    case TriggerResource::kShips:
    case TriggerResource::kShipDown: return observeShips(history, rule, now_ms);
    case TriggerResource::kPierGrowth: return observePierGrowth(history, rule, now_ms);
    default: return observeResource(history, rule, now_ms);
  }
}

}  // namespace tidemark::controller
