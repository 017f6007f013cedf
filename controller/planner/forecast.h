// One forecast per resource series: the trend of its used amount, when it reaches
// its threshold, and how far to trust that. Lines are Theil-Sen; piers' sawtooth
// (pack drops) and one-off level shifts (a resize, a migration) get their own model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "controller/planner/resource_series.h"
#include "controller/planner/trend.h"

namespace tidemark::controller::planner {

constexpr double kDaysPerMonth = 30.44;

// Fractions of capacity at which a resource counts as exhausted. Defaults from the
// field (see README, "plan"); the controller config overrides them.
struct Thresholds {
  double disk = 0.85;
  double memory = 0.80;
  double pier = 0.85;  // of the pier plus the free space of its filesystem
  double loom = 0.85;
  double cpu = 0.80;
  double io = 0.70;
  double network = 0.60;  // of link speed, when the link reports one

  double of(Resource resource) const;
};

enum class TrendModel {
  kLinear,      // one Theil-Sen line through the window
  kSawtooth,    // pack drops: floor trend plus growth between packs
  kLevelShift,  // a jump in the window: the line through the points after the last one
};
std::string_view trendModelName(TrendModel model);

struct Forecast {
  std::string host;
  Resource resource = Resource::kDisk;
  Labels labels;
  double current = 0;   // newest used value (bytes, a fraction, bytes/s)
  double capacity = 0;  // 0: unknown, so no time to threshold
  double threshold = 0; // fraction of capacity
  // Long-run growth of the used value per day (for a sawtooth: of its post-pack floor).
  double slope_per_day = 0;
  double monthly_growth = 0;  // slope_per_day * kDaysPerMonth
  // Days from the newest point until used reaches threshold * capacity: 0 when it is
  // there already; nullopt when it is not growing or the capacity is unknown.
  std::optional<double> days_to_threshold;
  double fit = 0;  // fitQuality() of the trend over the points it was fitted to
  TrendModel model = TrendModel::kLinear;
  int64_t window_start_ms = 0;  // the points the trend was fitted to
  int64_t window_end_ms = 0;
  size_t points = 0;
  size_t packs = 0;                      // sawtooth: drops seen
  double growth_between_packs_per_day = 0;  // sawtooth: the teeth's slope
  // The series' points, only when asked for (PlanOptions::with_history).
  std::vector<int64_t> history_ms;
  std::vector<double> history_used;
};

// Fewer points than this give no trend (slope 0, no time to threshold).
inline constexpr size_t kMinForecastPoints = 4;

Forecast forecastSeries(const ResourceSeries& series, double threshold);

std::vector<Forecast> forecastAll(const std::vector<ResourceSeries>& series,
                                  const Thresholds& thresholds);

// Days from x_now (days) until `line` reaches `target`: 0 when it is there at
// x_now, nullopt when it is not rising. predict_linear's answer for a line.
std::optional<double> daysUntil(const Line& line, double x_now, double target);

}  // namespace tidemark::controller::planner
