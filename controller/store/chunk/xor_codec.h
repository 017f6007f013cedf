// Gorilla XOR coding of float64 bit patterns, shared by the head stream and the sealed
// chunk's fallback: each value is XORed with the previous one; an unchanged value costs
// one bit, a change inside the previous leading/trailing-zero window costs 2 bits plus the
// meaningful bits, otherwise 13 bits of header plus the meaningful bits. Bit-exact for every
// pattern (NaN payloads, -0.0, infinities, denormals).
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>

#include "controller/store/chunk/bit_stream.h"

namespace tidemark::controller::chunk {

class XorEncoder {
 public:
  XorEncoder() = default;
  explicit XorEncoder(uint64_t first_bits) : prev_(first_bits) {}
  uint64_t last() const { return prev_; }
  // A value coded some other way still becomes the base of the next XOR.
  void setLast(uint64_t bits) { prev_ = bits; }

  // Bits put() would write for `bits`, without writing.
  int cost(uint64_t bits) const {
    const uint64_t x = bits ^ prev_;
    if (x == 0) return 1;
    const int lead = std::min(std::countl_zero(x), 31);
    const int trail = std::countr_zero(x);
    if (lead >= lead_ && trail >= trail_) return 2 + 64 - lead_ - trail_;
    return 13 + 64 - lead - trail;
  }

  template <class Buffer>
  void put(Buffer& out, uint64_t& bit_count, uint64_t bits) {
    const uint64_t x = bits ^ prev_;
    prev_ = bits;
    if (x == 0) {
      putBits(out, bit_count, 0, 1);
      return;
    }
    int lead = std::countl_zero(x);
    const int trail = std::countr_zero(x);
    if (lead > 31) lead = 31;  // the header has 5 bits for it
    if (lead >= lead_ && trail >= trail_) {
      putBits(out, bit_count, 1, 2);
      putBits(out, bit_count, x >> trail_, 64 - lead_ - trail_);
      return;
    }
    lead_ = static_cast<uint8_t>(lead);
    trail_ = static_cast<uint8_t>(trail);
    const int significant = 64 - lead - trail;
    // 13 header bits in one field: '11', leading zeros, significant bits (64 stored as 0).
    putBits(out, bit_count,
            3 | (static_cast<uint64_t>(lead) << 2) | (static_cast<uint64_t>(significant & 63) << 7),
            13);
    putBits(out, bit_count, x >> trail, significant);
  }

 private:
  uint64_t prev_ = 0;
  uint8_t lead_ = 0xff;  // no window yet: the first change always writes a header
  uint8_t trail_ = 0;
};

class XorDecoder {
 public:
  explicit XorDecoder(uint64_t first_bits) : prev_(first_bits) {}
  uint64_t last() const { return prev_; }
  void setLast(uint64_t bits) { prev_ = bits; }

  // Next bit pattern. Malformed windows set `bad`; reads past the end show as overrun.
  uint64_t next(BitReader& in, bool& bad) {
    const uint64_t code = in.peek(13);
    if ((code & 1) == 0) {
      in.skip(1);
      return prev_;
    }
    if ((code & 2) == 0) {
      in.skip(2);
    } else {
      in.skip(13);
      const int lead = static_cast<int>((code >> 2) & 31);
      int significant = static_cast<int>((code >> 7) & 63);
      if (significant == 0) significant = 64;
      if (lead + significant > 64) {
        bad = true;
        return prev_;
      }
      lead_ = lead;
      trail_ = 64 - lead - significant;
    }
    prev_ ^= in.read(64 - lead_ - trail_) << trail_;
    return prev_;
  }

 private:
  uint64_t prev_;
  int lead_ = 0;
  int trail_ = 0;
};

}  // namespace tidemark::controller::chunk
