#include "controller/planner/trend.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace tidemark::controller::planner {

double median(std::span<const double> values) {
  if (values.empty()) return 0;
  std::vector<double> sorted(values.begin(), values.end());
  const size_t middle = sorted.size() / 2;
  std::nth_element(sorted.begin(), sorted.begin() + middle, sorted.end());
  const double upper = sorted[middle];
  if (sorted.size() % 2 == 1) return upper;
  const double lower = *std::max_element(sorted.begin(), sorted.begin() + middle);
  return (lower + upper) / 2;
}

Line theilSen(std::span<const double> x, std::span<const double> y, size_t max_points) {
  const size_t count = std::min(x.size(), y.size());
  if (count == 0) return {};
  // Evenly spaced indices, first and last included.
  std::vector<size_t> picked;
  const size_t keep = std::max<size_t>(2, std::min(count, max_points));
  picked.reserve(keep);
  for (size_t k = 0; k < keep; ++k) {
    const size_t index = keep == 1 ? 0 : k * (count - 1) / (keep - 1);
    if (picked.empty() || picked.back() != index) picked.push_back(index);
  }
  std::vector<double> slopes;
  slopes.reserve(picked.size() * (picked.size() - 1) / 2);
  for (size_t a = 0; a < picked.size(); ++a) {
    for (size_t b = a + 1; b < picked.size(); ++b) {
      const double dx = x[picked[b]] - x[picked[a]];
      if (dx != 0) slopes.push_back((y[picked[b]] - y[picked[a]]) / dx);
    }
  }
  Line line;
  line.slope = median(slopes);
  std::vector<double> intercepts(count);
  for (size_t i = 0; i < count; ++i) intercepts[i] = y[i] - line.slope * x[i];
  line.intercept = median(intercepts);
  return line;
}

Line leastSquares(std::span<const double> x, std::span<const double> y) {
  const size_t count = std::min(x.size(), y.size());
  if (count == 0) return {};
  double mean_x = 0;
  double mean_y = 0;
  for (size_t i = 0; i < count; ++i) {
    mean_x += x[i];
    mean_y += y[i];
  }
  mean_x /= static_cast<double>(count);
  mean_y /= static_cast<double>(count);
  double covariance = 0;
  double variance = 0;
  for (size_t i = 0; i < count; ++i) {
    covariance += (x[i] - mean_x) * (y[i] - mean_y);
    variance += (x[i] - mean_x) * (x[i] - mean_x);
  }
  Line line;
  line.slope = variance > 0 ? covariance / variance : 0;
  line.intercept = mean_y - line.slope * mean_x;
  return line;
}

double fitQuality(const Line& line, std::span<const double> x, std::span<const double> y) {
  const size_t count = std::min(x.size(), y.size());
  if (count == 0) return 0;
  std::vector<double> residuals(count);
  for (size_t i = 0; i < count; ++i) residuals[i] = std::abs(y[i] - line.at(x[i]));
  const double level = std::abs(median(y.subspan(0, count)));
  const double spread = median(residuals);
  if (level == 0) return spread == 0 ? 1 : 0;
  return std::clamp(1 - spread / level, 0.0, 1.0);
}

}  // namespace tidemark::controller::planner
