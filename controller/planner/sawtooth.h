// Jumps in a history and the sawtooth of an Urbit pier: it grows between packs and
// drops at each one, so a line through all of it points at the middle of the teeth.
// The sawtooth model trends the post-pack floor (the minimum after each drop) and
// the growth between packs, and forecasts the peaks: what actually fills the disk.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "controller/planner/trend.h"

namespace tidemark::controller::planner {

// Indices i where y[i] jumped from y[i - 1] by far more than the usual step-to-step
// change: more than 6 robust standard deviations of the differences, and more than
// 2% of the median level (so a near-constant series does not see noise as jumps).
struct Jumps {
  std::vector<size_t> drops;
  std::vector<size_t> rises;
};
Jumps findJumps(std::span<const double> y);

// A sawtooth: at least two drops and no more than half as many rises.
bool isSawtooth(const Jumps& jumps);

struct SawtoothFit {
  Line floor;                // the minima after each drop, against x (days)
  double growth_per_day = 0; // median Theil-Sen slope within the teeth
  double cycle_days = 0;     // median time between drops
  double last_pack_x = 0;    // x of the newest drop
  size_t packs = 0;
};

// nullopt unless isSawtooth(jumps) and x spans at least two teeth.
std::optional<SawtoothFit> fitSawtooth(std::span<const double> x, std::span<const double> y,
                                       const Jumps& jumps);

// Days after x_now until the teeth first reach `target`, packs continuing on the
// fitted cycle: 0 when y_now is there already, nullopt when neither the current tooth
// nor the rising floor gets there.
std::optional<double> sawtoothDaysTo(const SawtoothFit& fit, double x_now, double y_now,
                                     double target);

}  // namespace tidemark::controller::planner
