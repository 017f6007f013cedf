#include "controller/planner/plan.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace tidemark::controller::planner {

FleetPlan summarizeFleet(const std::vector<ResourceSeries>& series,
                         const std::vector<Forecast>& forecasts, const Thresholds& thresholds) {
  const FleetTotals totals = fleetTotals(series);
  FleetPlan fleet;
  fleet.hosts = totals.hosts;
  fleet.ships = totals.ships;
  for (const auto& [resource, total] : totals.totals) {
    FleetResource summary;
    summary.resource = resource;
    summary.used = total.used;
    summary.capacity = total.capacity;
    summary.threshold = thresholds.of(resource);
    double room = 0;
    for (const auto& forecast : forecasts) {
      if (forecast.resource != resource || forecast.capacity <= 0) continue;
      room += std::max(0.0, forecast.threshold * forecast.capacity - forecast.current);
      summary.monthly_growth += std::max(0.0, forecast.monthly_growth);
    }
    if (summary.monthly_growth > 0) summary.months_of_headroom = room / summary.monthly_growth;
    fleet.resources.push_back(summary);
  }
  return fleet;
}

Plan makePlan(const HistorySource& history, const PlanOptions& options) {
  Plan plan;
  plan.until_ms = options.now_ms;
  plan.since_ms = options.now_ms - options.window_ms;
  ResourceWindow window;
  window.since_ms = plan.since_ms;
  window.until_ms = plan.until_ms;
  window.step_ms = options.step_ms;
  window.host = options.host;
  const std::vector<ResourceSeries> series = readAllResources(history, window);
  plan.forecasts = forecastAll(series, options.thresholds);
  if (options.with_history) {
    for (size_t i = 0; i < series.size() && i < plan.forecasts.size(); ++i) {
      plan.forecasts[i].history_ms = series[i].timestamps_ms;
      plan.forecasts[i].history_used = series[i].used;
    }
  }
  plan.fleet = summarizeFleet(series, plan.forecasts, options.thresholds);
  std::stable_sort(plan.forecasts.begin(), plan.forecasts.end(),
                   [](const Forecast& a, const Forecast& b) {
                     const double a_days = a.days_to_threshold.value_or(INFINITY);
                     const double b_days = b.days_to_threshold.value_or(INFINITY);
                     return std::tie(a_days, a.host, a.resource, a.labels) <
                            std::tie(b_days, b.host, b.resource, b.labels);
                   });
  return plan;
}

}  // namespace tidemark::controller::planner
