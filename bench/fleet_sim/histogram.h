// A fixed-size log-linear latency histogram (HdrHistogram-like): 32 linear
// sub-buckets per power of two, so a percentile is within ~3% of the true value,
// in constant memory however many values are recorded. Values are microseconds.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstdint>

namespace tidemark::fleet_sim {

class Histogram {
 public:
  static constexpr int kSubBits = 5;  // 32 sub-buckets per octave
  static constexpr int kOctaves = 40;  // up to 2^40 us (12 days)
  static constexpr int kBuckets = (kOctaves + 1) << kSubBits;

  void record(int64_t value_us) {
    const uint64_t v = value_us < 0 ? 0 : static_cast<uint64_t>(value_us);
    ++counts_[index(v)];
    ++count_;
    max_ = std::max(max_, v);
    sum_ += v;
  }

  void merge(const Histogram& other) {
    for (int i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    max_ = std::max(max_, other.max_);
    sum_ += other.sum_;
  }

  void clear() { *this = Histogram(); }

  uint64_t count() const { return count_; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0 : static_cast<double>(sum_) / count_; }

  // The value at quantile q (0..1): the middle of the bucket holding it, capped at max.
  uint64_t quantile(double q) const {
    if (count_ == 0) return 0;
    uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(count_ - 1)) + 1;
    uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(max_, (lowest(i) + lowest(i + 1)) / 2);
    }
    return max_;
  }

  // The bucket a value lands in, and adding a whole bucket's count at once.
  static int index(uint64_t v) {
    if (v < (1u << kSubBits)) return static_cast<int>(v);
    const int octave = std::bit_width(v) - kSubBits;  // >= 1
    const int sub = static_cast<int>(v >> (octave - 1)) - (1 << kSubBits);
    return std::min(kBuckets - 1, (octave << kSubBits) + sub);
  }
  void addBucket(int i, uint64_t n, uint64_t max_value) {
    if (n == 0) return;
    counts_[i] += n;
    count_ += n;
    max_ = std::max(max_, max_value);
    sum_ += n * ((lowest(i) + lowest(i + 1)) / 2);
  }

 private:
  // The smallest value that lands in bucket i.
  static uint64_t lowest(int i) {
    const int octave = i >> kSubBits;
    const uint64_t sub = static_cast<uint64_t>(i & ((1 << kSubBits) - 1));
    if (octave == 0) return sub;
    return (sub + (1u << kSubBits)) << (octave - 1);
  }

  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t max_ = 0;
  uint64_t sum_ = 0;
};

// The same buckets with atomic counts: written by one thread, emptied by another
// (possibly in another process, in shared memory) to print a progress window.
class AtomicHistogram {
 public:
  void record(int64_t value_us) {
    const uint64_t v = value_us < 0 ? 0 : static_cast<uint64_t>(value_us);
    counts_[Histogram::index(v)].fetch_add(1, std::memory_order_relaxed);
    uint64_t seen = max_.load(std::memory_order_relaxed);
    while (v > seen && !max_.compare_exchange_weak(seen, v, std::memory_order_relaxed)) {
    }
  }
  // What was recorded since the last take.
  Histogram take() {
    Histogram out;
    const uint64_t max_value = max_.exchange(0, std::memory_order_relaxed);
    for (int i = 0; i < Histogram::kBuckets; ++i) {
      out.addBucket(i, counts_[i].exchange(0, std::memory_order_relaxed), max_value);
    }
    return out;
  }

 private:
  std::array<std::atomic<uint64_t>, Histogram::kBuckets> counts_{};
  std::atomic<uint64_t> max_{0};
};

}  // namespace tidemark::fleet_sim
