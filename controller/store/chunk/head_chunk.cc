#include "controller/store/chunk/head_chunk.h"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

#include "common/errors/error.h"
#include "controller/store/chunk/chunk_codec.h"

namespace tidemark::controller::chunk {

namespace {

// One sample adds at most 4 + 64 timestamp bits and 13 + 64 value bits.
constexpr size_t kMaxSampleBytes = 19;

// Delta-of-delta code lengths tuned for a 10 s scrape grid with millisecond jitter: a dod
// within +-15 ms costs 7 bits, within +-255 ms 12 bits.
constexpr int kDodWidth1 = 5;
constexpr int kDodWidth2 = 9;
constexpr int kDodWidth3 = 16;

// Value delta-of-delta code lengths (zigzag), in scaled-integer units.
constexpr int kValueWidth1 = 7;
constexpr int kValueWidth2 = 14;
constexpr int kValueWidth3 = 24;

}  // namespace

void HeadChunk::append(int64_t timestamp_ms, double value) {
  if (count_ >= kMaxChunkSamples) {
    throw std::length_error("head chunk is full at " + std::to_string(count_) + " samples");
  }
  if (stream_.capacity() - stream_.size() < kMaxSampleBytes) {
    // Exact, modest growth: a std::vector reserves what it is asked for, and a head that
    // doubles would waste up to half its memory across thousands of series.
    stream_.reserve(stream_.size() + std::max<size_t>(32, stream_.size() / 4) + kMaxSampleBytes);
  }
  const auto bits = std::bit_cast<uint64_t>(value);
  if (count_ == 0) {
    putBits(stream_, bit_count_, static_cast<uint64_t>(timestamp_ms), 64);
    putBits(stream_, bit_count_, bits, 64);
    first_ts_ = last_ts_ = timestamp_ms;
    last_delta_ = 0;
    values_ = XorEncoder(bits);
    scaled_ = ScaledValueState();
    scaled_.raw(value);
    count_ = 1;
    return;
  }
  // Wrapping arithmetic keeps any int64 sequence exact.
  const auto delta =
      static_cast<int64_t>(static_cast<uint64_t>(timestamp_ms) - static_cast<uint64_t>(last_ts_));
  const uint64_t z = zigzag(
      static_cast<int64_t>(static_cast<uint64_t>(delta) - static_cast<uint64_t>(last_delta_)));
  const int width = std::bit_width(z);
  if (z == 0) {
    putBits(stream_, bit_count_, 0, 1);
  } else if (width <= kDodWidth1) {
    putBits(stream_, bit_count_, 1 | (z << 2), 2 + kDodWidth1);
  } else if (width <= kDodWidth2) {
    putBits(stream_, bit_count_, 3 | (z << 3), 3 + kDodWidth2);
  } else if (width <= kDodWidth3) {
    putBits(stream_, bit_count_, 7 | (z << 4), 4 + kDodWidth3);
  } else {
    putBits(stream_, bit_count_, 15, 4);
    putBits(stream_, bit_count_, z, 64);
  }
  last_ts_ = timestamp_ms;
  last_delta_ = delta;
  appendValue(value, bits);
  ++count_;
}

// '0': the same bits as the previous value; '10': a scaled integer, coded as its zigzag
// difference from the predicted integer in buckets ('1111' reserved); '11': Gorilla XOR
// (whose own code supplies the second '1').
void HeadChunk::appendValue(double value, uint64_t bits) {
  int64_t integer = 0;
  if (bits == values_.last()) {
    putBits(stream_, bit_count_, 0, 1);
    scaled_.same();
    return;
  }
  uint64_t z = 0;
  const bool scalable = scaled_.valid && scaleExactly(value, scaled_.decimals, integer);
  if (scalable) {
    z = zigzag(static_cast<int64_t>(static_cast<uint64_t>(integer) -
                                    static_cast<uint64_t>(scaled_.predicted())));
  }
  const int width = std::bit_width(z);
  const int scaled_cost = width == 0              ? 3
                          : width <= kValueWidth1 ? 4 + kValueWidth1
                          : width <= kValueWidth2 ? 5 + kValueWidth2
                                                  : 6 + kValueWidth3;
  // Byte counts in kB * 1024 and the like keep trailing zero bits that XOR skips: take the
  // cheaper code. Both sides then update the scaled state the same way.
  if (scalable && width <= kValueWidth3 && scaled_cost <= 1 + values_.cost(bits)) {
    if (z == 0) {
      putBits(stream_, bit_count_, 1, 3);  // '1','0','0'
    } else if (width <= kValueWidth1) {
      putBits(stream_, bit_count_, 1 | (1 << 2) | (z << 4), 4 + kValueWidth1);
    } else if (width <= kValueWidth2) {
      putBits(stream_, bit_count_, 1 | (3 << 2) | (z << 5), 5 + kValueWidth2);
    } else {
      putBits(stream_, bit_count_, 1 | (7 << 2), 6);
      putBits(stream_, bit_count_, z, kValueWidth3);
    }
    scaled_.scaled(integer);
    values_.setLast(bits);
  } else {
    putBits(stream_, bit_count_, 1, 1);
    values_.put(stream_, bit_count_, bits);
    scaled_.raw(value);
  }
}

void HeadChunk::decode(std::vector<int64_t>& timestamps_ms, std::vector<double>& values) const {
  if (count_ == 0) return;
  const size_t ts_base = timestamps_ms.size();
  const size_t value_base = values.size();
  timestamps_ms.resize(ts_base + count_);
  values.resize(value_base + count_);
  int64_t* ts_out = timestamps_ms.data() + ts_base;
  double* value_out = values.data() + value_base;

  // The stream was written by append(), so it is well-formed; the reader still never
  // leaves the buffer.
  BitReader in(bytes(), 0);
  uint64_t ts = in.read(64);
  uint64_t delta = 0;
  const uint64_t first_value = in.read(64);
  XorDecoder value_decoder(first_value);
  ts_out[0] = static_cast<int64_t>(ts);
  value_out[0] = std::bit_cast<double>(first_value);
  ScaledValueState state;
  state.raw(value_out[0]);
  bool bad = false;
  for (uint32_t i = 1; i < count_; ++i) {
    const uint64_t code = in.peek(4);
    uint64_t z = 0;
    if ((code & 1) == 0) {
      in.skip(1);
    } else if ((code & 2) == 0) {
      in.skip(2);
      z = in.read(kDodWidth1);
    } else if ((code & 4) == 0) {
      in.skip(3);
      z = in.read(kDodWidth2);
    } else if ((code & 8) == 0) {
      in.skip(4);
      z = in.read(kDodWidth3);
    } else {
      in.skip(4);
      z = in.read(64);
    }
    delta += static_cast<uint64_t>(unzigzag(z));
    ts += delta;
    ts_out[i] = static_cast<int64_t>(ts);
    value_out[i] = nextValue(in, value_decoder, state, bad);
  }
  if (bad || in.overrun()) throw StoreError("head chunk stream is corrupt");  // our bug
}

double HeadChunk::nextValue(BitReader& in, XorDecoder& xor_decoder, ScaledValueState& state,
                            bool& bad) {
  const uint64_t code = in.peek(6);
  if ((code & 1) == 0) {
    in.skip(1);
    state.same();
    return std::bit_cast<double>(xor_decoder.last());  // bits: NaN payloads survive
  }
  if ((code & 2) == 0) {
    uint64_t z = 0;
    if ((code & 4) == 0) {
      in.skip(3);
    } else if ((code & 8) == 0) {
      in.skip(4);
      z = in.read(kValueWidth1);
    } else if ((code & 16) == 0) {
      in.skip(5);
      z = in.read(kValueWidth2);
    } else if ((code & 32) == 0) {
      in.skip(6);
      z = in.read(kValueWidth3);
    } else {
      bad = true;  // '1111' is reserved
    }
    if (!state.valid) bad = true;
    const auto integer = static_cast<int64_t>(static_cast<uint64_t>(state.predicted()) +
                                              static_cast<uint64_t>(unzigzag(z)));
    const double value = unscale(integer, state.decimals);
    state.scaled(integer);
    xor_decoder.setLast(std::bit_cast<uint64_t>(value));
    return value;
  }
  in.skip(1);
  const double value = std::bit_cast<double>(xor_decoder.next(in, bad));
  state.raw(value);
  return value;
}

void HeadChunk::clear() { *this = HeadChunk(); }

}  // namespace tidemark::controller::chunk
