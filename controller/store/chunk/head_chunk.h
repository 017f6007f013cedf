// The in-memory head of one series: samples appended one at a time into a compact bit
// stream (delta-of-delta timestamps; values as scaled integers against a predicted value
// when they are decimal and that is cheaper, else Gorilla XOR), readable at any moment for
// queries over recent data. One per active series, so the object is small and the stream
// grows in small steps (no per-sample allocation). On the node-like bench mix the stream
// costs about 2.9 B a sample: ~400 B of heap for 120 samples, so cut heads at ~120.
#pragma once

#include <bit>
#include <cstdint>
#include <string_view>
#include <vector>

#include "controller/store/chunk/decimal.h"
#include "controller/store/chunk/xor_codec.h"

namespace tidemark::controller::chunk {

// What the head knows about its values as scaled integers. Writer and reader update it
// identically from each sample's value, so it never needs to be written to the stream.
struct ScaledValueState {
  int64_t last = 0;   // the previous value as an integer at `decimals`
  int64_t delta = 0;  // its change at the previous sample
  uint8_t decimals = 0;
  bool valid = false;
  uint8_t misses = 0;  // values that fit no scale; past a few the series is taken as float

  int8_t trend_score = 0;  // > 0: the last change predicts the next (counters); else noise

  // What the next integer is predicted to be: extrapolated for counters, flat for gauges.
  int64_t predicted() const {
    return trend_score > 0
               ? static_cast<int64_t>(static_cast<uint64_t>(last) + static_cast<uint64_t>(delta))
               : last;
  }
  void same() { scaled(last); }
  void scaled(int64_t integer) {
    const auto change =
        static_cast<int64_t>(static_cast<uint64_t>(integer) - static_cast<uint64_t>(last));
    const uint64_t flat_error = magnitude(change);
    const uint64_t trend_error = magnitude(
        static_cast<int64_t>(static_cast<uint64_t>(change) - static_cast<uint64_t>(delta)));
    if (trend_error < flat_error && trend_score < 4) ++trend_score;
    if (trend_error > flat_error && trend_score > -4) --trend_score;
    delta = change;
    last = integer;
  }
  static uint64_t magnitude(int64_t v) {
    return v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  }
  // After a value written whole (the first, or an XOR): keep tracking it at the current
  // scale, else find the smallest larger scale that fits it.
  void raw(double value) {
    int64_t integer = 0;
    if (valid && scaleExactly(value, decimals, integer)) {
      scaled(integer);
      return;
    }
    valid = false;
    if (misses >= 4) return;
    for (int d = decimals; d <= kMaxDecimals; ++d) {
      int64_t integer = 0;
      if (scaleExactly(value, d, integer)) {
        decimals = static_cast<uint8_t>(d);
        last = integer;
        delta = 0;
        valid = true;
        return;
      }
    }
    ++misses;
  }
};

class HeadChunk {
 public:
  // Appends one sample. Timestamps may go backwards (the codec is exact for any int64);
  // ordering is the caller's policy. Throws std::length_error past kMaxChunkSamples.
  void append(int64_t timestamp_ms, double value);

  // Appends every sample, in append order, to the two vectors.
  void decode(std::vector<int64_t>& timestamps_ms, std::vector<double>& values) const;

  uint32_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  int64_t firstTimestampMs() const { return first_ts_; }                      // 0 when empty
  int64_t lastTimestampMs() const { return last_ts_; }                        // 0 when empty
  double lastValue() const { return std::bit_cast<double>(values_.last()); }  // 0 when empty
  size_t sizeBytes() const { return stream_.size(); }                         // the encoded stream
  size_t heapBytes() const { return stream_.capacity(); }  // what the stream holds on the heap
  std::string_view bytes() const {
    return {reinterpret_cast<const char*>(stream_.data()), stream_.size()};
  }

  // Empties the head and frees its stream (after sealing).
  void clear();

 private:
  void appendValue(double value, uint64_t bits);
  static double nextValue(BitReader& in, XorDecoder& xor_decoder, ScaledValueState& state,
                          bool& bad);

  std::vector<uint8_t> stream_;
  int64_t first_ts_ = 0;
  int64_t last_ts_ = 0;
  int64_t last_delta_ = 0;
  XorEncoder values_;
  ScaledValueState scaled_;
  uint64_t bit_count_ = 0;
  uint32_t count_ = 0;
};

}  // namespace tidemark::controller::chunk
