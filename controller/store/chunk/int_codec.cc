#include "controller/store/chunk/int_codec.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <numeric>
#include <string>

namespace tidemark::controller::chunk {

void throwMalformed(const char* what, const char* why) {
  throw StoreError(std::string("malformed chunk: ") + what + ": " + why);
}

namespace {

uint64_t magnitude(int64_t v) {
  return v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
}

// Division by a chunk's common divisor without a division instruction per residual
// (a 64-bit divide costs tens of cycles): d = odd * 2^shift; a multiple of d shifted
// right by `shift` is a multiple of `odd`, and multiplying by odd's inverse modulo 2^64
// gives the quotient exactly (Granlund and Montgomery). The same inverse tells whether
// a number is a multiple at all: n * inverse <= (2^64 - 1) / odd exactly when it is.
class ExactDivisor {
 public:
  explicit ExactDivisor(uint64_t d)
      : shift_(std::countr_zero(d)),
        low_mask_((uint64_t{1} << shift_) - 1),
        inverse_(inverseOf(d >> shift_)),
        max_quotient_(~uint64_t{0} / (d >> shift_)) {}

  // r / d for r a multiple of d.
  int64_t divide(int64_t r) const {
    return static_cast<int64_t>(static_cast<uint64_t>(r >> shift_) * inverse_);
  }
  bool divides(uint64_t n) const {
    return (n & low_mask_) == 0 && (n >> shift_) * inverse_ <= max_quotient_;
  }

 private:
  static uint64_t inverseOf(uint64_t odd) {
    uint64_t x = odd;  // right to 3 bits; each step doubles that
    for (int i = 0; i < 5; ++i) x *= 2 - odd * x;
    return x;
  }
  int shift_;
  uint64_t low_mask_;
  uint64_t inverse_;
  uint64_t max_quotient_;
};

}  // namespace

ResidualPlan planResiduals(std::span<const int64_t> residuals) {
  ResidualPlan plan;
  uint64_t divisor = 0;
  ExactDivisor exact(1);
  for (int64_t r : residuals) {
    const uint64_t m = magnitude(r);
    // gcd(d, 0) = d and gcd(d, k * d) = d: only a residual that is not a multiple of
    // the divisor so far changes it (most of a chunk's are, or the divisor is soon 1).
    if (m == 0 || (divisor != 0 && exact.divides(m))) continue;
    divisor = std::gcd(divisor, m);
    if (divisor == 1) break;
    exact = ExactDivisor(divisor);
  }
  // Above 2^62 the quotient would not fit the signed arithmetic; such sequences are noise.
  if (divisor == 0 || divisor > (1ULL << 62)) divisor = 1;
  plan.divisor = divisor;
  exact = ExactDivisor(divisor);

  int64_t lo = std::numeric_limits<int64_t>::max();
  int64_t hi = std::numeric_limits<int64_t>::min();
  uint64_t histogram[65] = {};
  for (int64_t r : residuals) {
    const int64_t q = exact.divide(r);
    lo = std::min(lo, q);
    hi = std::max(hi, q);
    ++histogram[std::bit_width(zigzag(q))];
  }
  const uint64_t count = residuals.size();
  if (count == 0) lo = hi = 0;
  const uint64_t common = 1 + static_cast<uint64_t>(varintBits(divisor - 1));

  plan.min = lo;
  plan.width =
      static_cast<uint8_t>(std::bit_width(static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo)));
  plan.bits = common + static_cast<uint64_t>(varintBits(zigzag(lo))) + 7 + count * plan.width;

  int max_width = 64;
  while (max_width > 0 && histogram[max_width] == 0) --max_width;
  if (max_width == 0) return plan;  // all zero: frame of reference at width 0 wins
  uint64_t cumulative[65] = {};
  for (int w = 1; w <= 64; ++w) cumulative[w] = cumulative[w - 1] + histogram[w];
  const uint64_t nonzero = cumulative[max_width];
  uint64_t best = std::numeric_limits<uint64_t>::max();
  int best1 = max_width, best2 = max_width;
  for (int w1 = 1; w1 <= max_width; ++w1) {
    if (histogram[w1] == 0 && w1 != max_width)
      continue;  // a width nothing ends at is never optimal
    for (int w2 = w1; w2 <= max_width; ++w2) {
      if (histogram[w2] == 0 && w2 != max_width) continue;
      const uint64_t cost = histogram[0] + cumulative[w1] * (2 + w1) +
                            (cumulative[w2] - cumulative[w1]) * (3 + w2) +
                            (nonzero - cumulative[w2]) * (3 + max_width);
      if (cost < best) {
        best = cost;
        best1 = w1;
        best2 = w2;
      }
    }
  }
  const uint64_t bucket_bits = common + 21 + best;
  if (bucket_bits < plan.bits) {
    plan.coder = ResidualPlan::kBuckets;
    plan.widths[0] = static_cast<uint8_t>(best1);
    plan.widths[1] = static_cast<uint8_t>(best2);
    plan.widths[2] = static_cast<uint8_t>(max_width);
    plan.bits = bucket_bits;
  }
  return plan;
}

void writeResiduals(std::string& out, uint64_t& bit_count, std::span<const int64_t> residuals,
                    const ResidualPlan& plan) {
  putBits(out, bit_count, plan.coder, 1);
  putVarint(out, bit_count, plan.divisor - 1);
  const ExactDivisor exact(plan.divisor);
  if (plan.coder == ResidualPlan::kFrameOfReference) {
    putVarint(out, bit_count, zigzag(plan.min));
    putBits(out, bit_count, plan.width, 7);
    const auto base = static_cast<uint64_t>(plan.min);
    for (int64_t r : residuals) {
      const int64_t q = exact.divide(r);
      putBits(out, bit_count, static_cast<uint64_t>(q) - base, plan.width);
    }
    return;
  }
  for (uint8_t w : plan.widths) putBits(out, bit_count, w, 7);
  for (int64_t r : residuals) {
    const uint64_t z = zigzag(exact.divide(r));
    const int width = std::bit_width(z);
    if (z == 0) {
      putBits(out, bit_count, 0, 1);
    } else if (width <= plan.widths[0]) {
      putBits(out, bit_count, 1, 2);
      putBits(out, bit_count, z, plan.widths[0]);
    } else if (width <= plan.widths[1]) {
      putBits(out, bit_count, 3, 3);
      putBits(out, bit_count, z, plan.widths[1]);
    } else {
      putBits(out, bit_count, 7, 3);
      putBits(out, bit_count, z, plan.widths[2]);
    }
  }
}

ResidualPlan readResidualPlan(BitReader& in, const char* what) {
  ResidualPlan plan;
  plan.coder = static_cast<ResidualPlan::Coder>(in.read(1));
  uint64_t divisor_minus_one = 0;
  if (!in.readVarint(divisor_minus_one) || divisor_minus_one >= (1ULL << 62)) {
    throwMalformed(what, "bad divisor");
  }
  plan.divisor = divisor_minus_one + 1;
  if (plan.coder == ResidualPlan::kFrameOfReference) {
    uint64_t min = 0;
    if (!in.readVarint(min)) throwMalformed(what, "bad frame of reference");
    plan.min = unzigzag(min);
    plan.width = static_cast<uint8_t>(in.read(7));
    if (plan.width > 64) throwMalformed(what, "width over 64");
  } else {
    for (uint8_t& w : plan.widths) {
      w = static_cast<uint8_t>(in.read(7));
      if (w > 64) throwMalformed(what, "width over 64");
    }
  }
  if (in.overrun()) throwMalformed(what, "truncated");
  return plan;
}

}  // namespace tidemark::controller::chunk
