#include "controller/planner/forecast.h"

#include <algorithm>
#include <cmath>

#include "controller/planner/sawtooth.h"

namespace tidemark::controller::planner {

namespace {

constexpr double kMsPerDay = 24.0 * 3600 * 1000;

// A shift this close to the end of the window leaves too little to trend: keep the
// whole window (Theil-Sen shrugs off a short tail) rather than fit a handful of points.
bool enoughAfter(size_t start, size_t count) {
  return count - start >= std::max<size_t>(kMinForecastPoints * 2, count / 10);
}

// A line through noise always has some slope; it counts as growth only when the
// rise over the fitted window exceeds the typical distance of the points from the
// line (a flat series then has no time to threshold instead of one in centuries).
bool risesAboveNoise(const Line& line, std::span<const double> x, std::span<const double> y) {
  std::vector<double> residuals(x.size());
  for (size_t i = 0; i < x.size(); ++i) residuals[i] = std::abs(y[i] - line.at(x[i]));
  const double rise = line.slope * (x.back() - x.front());
  return rise > 0 && rise > median(residuals);
}

}  // namespace

double Thresholds::of(Resource resource) const {
  switch (resource) {
    case Resource::kDisk:
      return disk;
    case Resource::kMemory:
      return memory;
    case Resource::kPier:
      return pier;
    case Resource::kLoom:
      return loom;
    case Resource::kCpu:
      return cpu;
    case Resource::kIo:
      return io;
    case Resource::kNetwork:
      return network;
  }
  return 1;
}

std::string_view trendModelName(TrendModel model) {
  switch (model) {
    case TrendModel::kLinear:
      return "linear";
    case TrendModel::kSawtooth:
      return "sawtooth";
    case TrendModel::kLevelShift:
      return "level_shift";
  }
  return "unknown";
}

std::optional<double> daysUntil(const Line& line, double x_now, double target) {
  if (line.at(x_now) >= target) return 0.0;
  if (line.slope <= 0) return std::nullopt;
  return (target - line.at(x_now)) / line.slope;
}

Forecast forecastSeries(const ResourceSeries& series, double threshold) {
  Forecast forecast;
  forecast.host = series.host;
  forecast.resource = series.resource;
  forecast.labels = series.labels;
  forecast.capacity = series.capacity;
  forecast.threshold = threshold;
  const size_t count = std::min(series.timestamps_ms.size(), series.used.size());
  if (count == 0) return forecast;
  forecast.current = series.used[count - 1];
  forecast.window_start_ms = series.timestamps_ms.front();
  forecast.window_end_ms = series.timestamps_ms[count - 1];
  forecast.points = count;
  if (count < kMinForecastPoints) return forecast;

  // x in days before the newest point (0 = now): keeps the numbers small.
  std::vector<double> x(count);
  for (size_t i = 0; i < count; ++i) {
    x[i] = static_cast<double>(series.timestamps_ms[i] - series.timestamps_ms[count - 1]) / kMsPerDay;
  }
  const std::span<const double> y(series.used.data(), count);
  const double target = threshold * series.capacity;
  const bool has_target = series.capacity > 0;

  const Jumps jumps = findJumps(y);
  if (auto saw = fitSawtooth(x, y, jumps)) {
    forecast.model = TrendModel::kSawtooth;
    forecast.slope_per_day = saw->floor.slope;
    forecast.packs = saw->packs;
    forecast.growth_between_packs_per_day = saw->growth_per_day;
    // How well the teeth are described: floor plus growth since the last drop.
    std::vector<double> modelled(count);
    Line tooth{saw->growth_per_day, 0};
    size_t next_drop = 0;
    double tooth_start_x = x[0];
    double tooth_start_y = saw->floor.at(x[0]);
    for (size_t i = 0; i < count; ++i) {
      if (next_drop < jumps.drops.size() && jumps.drops[next_drop] == i) {
        tooth_start_x = x[i];
        tooth_start_y = saw->floor.at(x[i]);
        ++next_drop;
      }
      modelled[i] = tooth_start_y + tooth.slope * (x[i] - tooth_start_x);
    }
    // fitQuality takes a line: score the residuals against the identity line.
    forecast.fit = fitQuality(Line{1, 0}, modelled, y);
    if (has_target) forecast.days_to_threshold = sawtoothDaysTo(*saw, 0, y.back(), target);
  } else {
    size_t start = 0;
    const size_t last_jump = std::max(jumps.drops.empty() ? 0 : jumps.drops.back(),
                                      jumps.rises.empty() ? 0 : jumps.rises.back());
    if (last_jump > 0 && enoughAfter(last_jump, count)) {
      start = last_jump;
      forecast.model = TrendModel::kLevelShift;
      forecast.window_start_ms = series.timestamps_ms[start];
      forecast.points = count - start;
    }
    const auto fit_x = std::span<const double>(x).subspan(start);
    const auto fit_y = y.subspan(start);
    const Line line = theilSen(fit_x, fit_y);
    forecast.slope_per_day = line.slope;
    forecast.fit = fitQuality(line, fit_x, fit_y);
    if (has_target) {
      forecast.days_to_threshold =
          risesAboveNoise(line, fit_x, fit_y) || line.at(0) >= target
              ? daysUntil(line, 0, target)
              : std::nullopt;
    }
  }
  forecast.monthly_growth = forecast.slope_per_day * kDaysPerMonth;
  return forecast;
}

std::vector<Forecast> forecastAll(const std::vector<ResourceSeries>& series,
                                  const Thresholds& thresholds) {
  std::vector<Forecast> out;
  out.reserve(series.size());
  for (const auto& one : series) out.push_back(forecastSeries(one, thresholds.of(one.resource)));
  return out;
}

}  // namespace tidemark::controller::planner
