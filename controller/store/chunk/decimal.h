// Values as scaled integers: v == integer / 10^d, checked bit-exact through the decoder's
// own arithmetic, so a value takes the integer path only when it comes back identical.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace tidemark::controller::chunk {

inline constexpr int kMaxDecimals = 15;
inline constexpr double kPow10[kMaxDecimals + 1] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                                    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

inline double unscale(int64_t scaled, int decimals) {
  return decimals == 0 ? static_cast<double>(scaled)
                       : static_cast<double>(scaled) / kPow10[decimals];
}

// True, with the integer, when `value` == unscale(integer, decimals) bit for bit and the
// integer fits 53 bits. -0.0, NaN and infinities never qualify.
inline bool scaleExactly(double value, int decimals, int64_t& scaled) {
  const double s = value * kPow10[decimals];
  if (!(std::fabs(s) < 9007199254740992.0)) return false;
  const auto candidate = static_cast<int64_t>(std::nearbyint(s));
  if (std::bit_cast<uint64_t>(unscale(candidate, decimals)) != std::bit_cast<uint64_t>(value)) {
    return false;
  }
  scaled = candidate;
  return true;
}

}  // namespace tidemark::controller::chunk
