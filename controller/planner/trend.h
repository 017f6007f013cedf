// Straight-line trends through a history: Theil-Sen (robust: the median of pairwise
// slopes, unmoved by up to ~29% outliers) for forecasts, least squares (what
// Prometheus' predict_linear fits) for comparison, and the quality of a fit.
#pragma once

#include <cstddef>
#include <span>

namespace tidemark::controller::planner {

// value = intercept + slope * x
struct Line {
  double slope = 0;
  double intercept = 0;
  double at(double x) const { return intercept + slope * x; }
};

// Most points whose pairwise slopes Theil-Sen takes: longer series are thinned to
// this many evenly spaced points (always the same ones for the same input), so one
// fit costs O(n) plus a bounded ~130,000 slopes however long the window.
inline constexpr size_t kTheilSenMaxPoints = 512;

// Theil-Sen: slope = median of (y_j - y_i) / (x_j - x_i) over pairs with x_i != x_j;
// intercept = median of y_i - slope * x_i. Fewer than two distinct x: slope 0 and
// the median of y (an empty input gives the zero line).
Line theilSen(std::span<const double> x, std::span<const double> y,
              size_t max_points = kTheilSenMaxPoints);

// Ordinary least squares; fewer than two distinct x: slope 0 and the mean of y.
Line leastSquares(std::span<const double> x, std::span<const double> y);

// How closely the line follows the points, from 0 (no better than nothing) to 1
// (on the line): 1 - median |residual| / |median y|, clamped to [0, 1]. Relative to
// the level rather than to the variance (R^2), so a flat, quiet series fits well
// instead of scoring 0 for having no trend to explain.
double fitQuality(const Line& line, std::span<const double> x, std::span<const double> y);

// The median of the values (the mean of the middle two for an even count); 0 when empty.
double median(std::span<const double> values);

}  // namespace tidemark::controller::planner
