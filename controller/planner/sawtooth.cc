#include "controller/planner/sawtooth.h"

#include <algorithm>
#include <cmath>

namespace tidemark::controller::planner {

namespace {

// Scale of a normal distribution's standard deviation from its median absolute deviation.
constexpr double kMadToSigma = 1.4826;
constexpr double kJumpSigmas = 6;
constexpr double kJumpMinShareOfLevel = 0.02;

}  // namespace

Jumps findJumps(std::span<const double> y) {
  Jumps jumps;
  if (y.size() < 3) return jumps;
  std::vector<double> diffs(y.size() - 1);
  for (size_t i = 1; i < y.size(); ++i) diffs[i - 1] = y[i] - y[i - 1];
  const double typical = median(diffs);
  std::vector<double> deviations(diffs.size());
  for (size_t i = 0; i < diffs.size(); ++i) deviations[i] = std::abs(diffs[i] - typical);
  const double sigma = kMadToSigma * median(deviations);
  const double limit = std::max(kJumpSigmas * sigma, kJumpMinShareOfLevel * std::abs(median(y)));
  for (size_t i = 1; i < y.size(); ++i) {
    const double change = diffs[i - 1] - typical;
    if (change < -limit) jumps.drops.push_back(i);
    if (change > limit) jumps.rises.push_back(i);
  }
  return jumps;
}

bool isSawtooth(const Jumps& jumps) {
  return jumps.drops.size() >= 2 && jumps.rises.size() * 2 <= jumps.drops.size();
}

std::optional<SawtoothFit> fitSawtooth(std::span<const double> x, std::span<const double> y,
                                       const Jumps& jumps) {
  if (!isSawtooth(jumps)) return std::nullopt;
  const auto& drops = jumps.drops;
  std::vector<double> floor_x;
  std::vector<double> floor_y;
  std::vector<double> growths;
  std::vector<double> spacings;
  // Teeth: [start, end) from each drop to the next; the part before the first drop
  // is a tooth too, for its growth, but its minimum is no post-pack floor.
  for (size_t k = 0; k <= drops.size(); ++k) {
    const size_t start = k == 0 ? 0 : drops[k - 1];
    const size_t end = k == drops.size() ? y.size() : drops[k];
    if (end <= start) continue;
    if (k > 0) {
      const auto lowest = std::min_element(y.begin() + start, y.begin() + end) - y.begin();
      floor_x.push_back(x[lowest]);
      floor_y.push_back(y[lowest]);
    }
    if (end - start >= 3) {
      growths.push_back(theilSen(x.subspan(start, end - start), y.subspan(start, end - start)).slope);
    }
    if (k > 0 && k < drops.size()) spacings.push_back(x[drops[k]] - x[drops[k - 1]]);
  }
  if (floor_x.size() < 2 || spacings.empty()) return std::nullopt;
  SawtoothFit fit;
  fit.floor = theilSen(floor_x, floor_y);
  fit.growth_per_day = median(growths);
  fit.cycle_days = median(spacings);
  fit.last_pack_x = x[drops.back()];
  fit.packs = drops.size();
  if (fit.cycle_days <= 0) return std::nullopt;
  return fit;
}

std::optional<double> sawtoothDaysTo(const SawtoothFit& fit, double x_now, double y_now,
                                     double target) {
  if (y_now >= target) return 0.0;
  const double growth = std::max(0.0, fit.growth_per_day);
  // The current tooth grows from y_now until the next pack.
  const double next_pack = fit.last_pack_x + fit.cycle_days *
                                                 std::ceil((x_now - fit.last_pack_x) / fit.cycle_days + 1e-9);
  if (growth > 0 && y_now + growth * (next_pack - x_now) >= target) {
    return (target - y_now) / growth;
  }
  if (fit.floor.slope <= 0) return std::nullopt;
  // Later teeth start on the floor line; the first whose peak reaches the target
  // is where it is crossed. Its index follows from floor(start) + growth * cycle >= target.
  const double peak_gain = growth * fit.cycle_days;
  const double teeth = std::max(
      0.0, std::ceil((target - peak_gain - fit.floor.at(next_pack)) / (fit.floor.slope * fit.cycle_days)));
  const double start = next_pack + teeth * fit.cycle_days;
  const double floor = fit.floor.at(start);
  const double within = floor >= target || growth <= 0 ? 0.0 : (target - floor) / growth;
  return start + std::min(within, fit.cycle_days) - x_now;
}

}  // namespace tidemark::controller::planner
