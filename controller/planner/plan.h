// `tidemark plan`: every resource series of the fleet (or one host) read over the
// planning window through hourly rollups, forecast, ordered nearest exhaustion first,
// with fleet totals and months of headroom.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "controller/history/history_source.h"
#include "controller/planner/fleet_totals.h"
#include "controller/planner/forecast.h"

namespace tidemark::controller::planner {

struct PlanOptions {
  // History the trends are fitted to, ending at now_ms. Default: 30 days.
  int64_t window_ms = 30 * kDayMs;
  // Point spacing; a multiple of 5 min reads rollups. Default: 1 h.
  int64_t step_ms = 3600 * 1000;
  // Only this host; empty: the whole fleet.
  std::string host;
  Thresholds thresholds;
  int64_t now_ms = 0;  // wall clock, unix ms. Required.
  // Keep each series' points in its forecast (history_ms, history_used): reports chart them.
  bool with_history = false;
};

// A fleet total for one resource measured in bytes (disk, memory, loom).
struct FleetResource {
  Resource resource = Resource::kDisk;
  double used = 0;
  double capacity = 0;
  double threshold = 0;  // fraction, as for the forecasts
  // Sum over series of the positive monthly growths (shrinking series free nothing
  // for the others: a disk on one host does not help another).
  double monthly_growth = 0;
  // Room left below each series' threshold, summed, over monthly_growth; nullopt when
  // nothing grows.
  std::optional<double> months_of_headroom;
};

struct FleetPlan {
  uint64_t hosts = 0;
  uint64_t ships = 0;
  std::vector<FleetResource> resources;  // disk, memory, loom when present
};

struct Plan {
  int64_t since_ms = 0;
  int64_t until_ms = 0;
  // Nearest exhaustion first (days_to_threshold ascending, none last), then host,
  // resource and labels.
  std::vector<Forecast> forecasts;
  FleetPlan fleet;
};

// Throws StoreError when the history cannot be read.
Plan makePlan(const HistorySource& history, const PlanOptions& options);

// The fleet part of a plan, from the series and their forecasts (same order).
FleetPlan summarizeFleet(const std::vector<ResourceSeries>& series,
                         const std::vector<Forecast>& forecasts, const Thresholds& thresholds);

}  // namespace tidemark::controller::planner
