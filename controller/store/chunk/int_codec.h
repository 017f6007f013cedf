// Residual coder for integer sequences inside a sealed chunk (timestamp deltas, scaled
// integer values and their deltas). A sequence is divided by its common divisor, then
// either frame-of-reference bit-packed at one width (fast, best for steady noise) or
// written with four per-chunk code lengths (0 costs one bit; best for rare changes and
// outliers). The encoder computes both sizes exactly and keeps the smaller.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "common/errors/error.h"
#include "controller/store/chunk/bit_stream.h"

namespace tidemark::controller::chunk {

struct ResidualPlan {
  enum Coder : uint8_t { kFrameOfReference = 0, kBuckets = 1 };
  Coder coder = kFrameOfReference;
  uint64_t divisor = 1;    // every residual is a multiple of it
  int64_t min = 0;         // frame of reference (of residual / divisor)
  uint8_t width = 0;       // frame-of-reference width in bits, 0..64
  uint8_t widths[3] = {};  // bucket widths, ascending, for zigzag values
  uint64_t bits = 0;       // encoded size including this header
};

// Picks the cheaper coder for `residuals` and returns its exact size.
ResidualPlan planResiduals(std::span<const int64_t> residuals);
void writeResiduals(std::string& out, uint64_t& bit_count, std::span<const int64_t> residuals,
                    const ResidualPlan& plan);
// Reads and validates a plan header; throws StoreError naming `what` when malformed.
ResidualPlan readResidualPlan(BitReader& in, const char* what);

[[noreturn]] void throwMalformed(const char* what, const char* why);

// Calls fn(residual) for `count` residuals. Throws StoreError when the bits run out.
template <class Fn>
inline void forEachResidual(BitReader& in, const ResidualPlan& plan, size_t count, const char* what,
                            Fn&& fn) {
  const int64_t divisor = static_cast<int64_t>(plan.divisor);
  if (plan.coder == ResidualPlan::kFrameOfReference) {
    const int width = plan.width;
    const uint64_t start = in.position();
    if (static_cast<uint64_t>(width) * count > in.bitsLeft()) throwMalformed(what, "truncated");
    // Wrapping arithmetic: timestamps may span the whole int64 range.
    const uint64_t base = static_cast<uint64_t>(plan.min);
    auto emit = [&](uint64_t packed) {
      fn(static_cast<int64_t>((base + packed) * static_cast<uint64_t>(divisor)));
    };
    if (width == 0) {
      for (size_t i = 0; i < count; ++i) emit(0);
    } else if (width <= 56) {
      // Whole 8-byte loads while they stay inside the buffer, then the zero-filled tail.
      const uint64_t mask = lowMask(width);
      const uint8_t* data = in.data();
      const uint64_t load_limit = in.size() >= 8 ? (in.size() - 7) * 8 : 0;
      size_t fast = 0;
      if (load_limit > start) {
        fast = static_cast<size_t>((load_limit - start + width - 1) / width);
        if (fast > count) fast = count;
      }
      uint64_t pos = start;
      for (size_t i = 0; i < fast; ++i, pos += width) {
        uint64_t word;
        std::memcpy(&word, data + (pos >> 3), 8);
        emit((word >> (pos & 7)) & mask);
      }
      for (size_t i = fast; i < count; ++i, pos += width) {
        emit((in.load(pos >> 3) >> (pos & 7)) & mask);
      }
    } else {
      BitReader wide = in;
      for (size_t i = 0; i < count; ++i) emit(wide.read(width));
    }
    in.seek(start + static_cast<uint64_t>(width) * count);
    return;
  }
  const int w1 = plan.widths[0], w2 = plan.widths[1], w3 = plan.widths[2];
  for (size_t i = 0; i < count; ++i) {
    const uint64_t code = in.peek(3);
    uint64_t z = 0;
    if ((code & 1) == 0) {
      in.skip(1);
    } else if ((code & 2) == 0) {
      in.skip(2);
      z = in.read(w1);
    } else if ((code & 4) == 0) {
      in.skip(3);
      z = in.read(w2);
    } else {
      in.skip(3);
      z = in.read(w3);
    }
    fn(static_cast<int64_t>(static_cast<uint64_t>(unzigzag(z)) * static_cast<uint64_t>(divisor)));
  }
  if (in.overrun()) throwMalformed(what, "truncated");
}

}  // namespace tidemark::controller::chunk
