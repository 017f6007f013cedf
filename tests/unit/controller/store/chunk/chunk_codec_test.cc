#include "controller/store/chunk/chunk_codec.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/errors/error.h"
#include "controller/store/chunk/head_chunk.h"

namespace tidemark::controller::chunk {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;

struct Series {
  std::vector<int64_t> ts;
  std::vector<double> values;
};

std::vector<int64_t> jitteredGrid(size_t n, std::mt19937_64& rng, int jitter_ms = 4) {
  std::uniform_int_distribution<int> jitter(-jitter_ms, jitter_ms);
  std::vector<int64_t> ts(n);
  for (size_t i = 0; i < n; ++i) ts[i] = kStart + static_cast<int64_t>(i) * 10'000 + jitter(rng);
  return ts;
}

// Bitwise equality, so NaN payloads and -0.0 count.
void expectSameBits(const std::vector<double>& expected, const std::vector<double>& actual) {
  ASSERT_EQ(expected.size(), actual.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(std::bit_cast<uint64_t>(expected[i]), std::bit_cast<uint64_t>(actual[i]))
        << "sample " << i << ": " << expected[i] << " vs " << actual[i];
  }
}

// Round-trips through the sealed format and the head, and returns the sealed size.
size_t roundTrip(const Series& s) {
  std::string encoded;
  encodeChunk(s.ts, s.values, encoded);
  std::vector<int64_t> ts;
  std::vector<double> values;
  decodeChunk(encoded, ts, values);
  EXPECT_EQ(ts, s.ts);
  expectSameBits(s.values, values);

  const ChunkHeader header = readChunkHeader(encoded);
  EXPECT_EQ(header.count, s.ts.size());
  EXPECT_EQ(header.first_timestamp_ms, s.ts.front());
  EXPECT_EQ(header.last_timestamp_ms, s.ts.back());

  HeadChunk head;
  for (size_t i = 0; i < s.ts.size(); ++i) head.append(s.ts[i], s.values[i]);
  std::vector<int64_t> head_ts;
  std::vector<double> head_values;
  head.decode(head_ts, head_values);
  EXPECT_EQ(head_ts, s.ts);
  expectSameBits(s.values, head_values);
  EXPECT_EQ(head.count(), s.ts.size());
  return encoded.size();
}

Series kind(const std::string& name, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Series s{jitteredGrid(n, rng), {}};
  std::normal_distribution<double> noise(0, 1);
  double level = 0;
  for (size_t i = 0; i < n; ++i) {
    double v = 0;
    if (name == "random") {
      v = std::bit_cast<double>((rng() & ~(0x7ffULL << 52)) |
                                (static_cast<uint64_t>(rng() % 2046) << 52));
    } else if (name == "counter") {
      level += std::round(std::fabs(noise(rng)) * 100 + 1000);
      v = level / 100;  // seconds with 2 decimals
    } else if (name == "bytes") {
      level += 4096 * std::round(std::fabs(noise(rng)) * 300);
      v = level;
    } else if (name == "gauge1") {
      v = std::round((50 + noise(rng)) * 10) / 10;
    } else if (name == "gauge3") {
      v = std::round((-20 + 5 * noise(rng)) * 1000) / 1000;
    } else if (name == "constant") {
      v = 1.234e11;
    } else if (name == "rare") {
      if (rng() % 50 == 0) level += std::round(noise(rng) * 1000);
      v = level;
    } else if (name == "float") {
      v = 40 + 10 * std::sin(static_cast<double>(i) / 30) + noise(rng) * 1e-3;
    } else if (name == "huge") {
      v = std::ldexp(1.0 + static_cast<double>(rng() % 1000), 900 + static_cast<int>(rng() % 100));
    } else if (name == "tiny") {
      v = std::ldexp(static_cast<double>(rng() % 1000 + 1), -1074 + static_cast<int>(rng() % 60));
    }
    s.values.push_back(v);
  }
  return s;
}

TEST(ChunkCodecTest, RoundTripsEveryKindAndLength) {
  for (const char* name : {"random", "counter", "bytes", "gauge1", "gauge3", "constant", "rare",
                           "float", "huge", "tiny"}) {
    for (size_t n : {1u, 2u, 3u, 7u, 64u, 120u, 121u, 720u, 10000u}) {
      SCOPED_TRACE(std::string(name) + " n=" + std::to_string(n));
      roundTrip(kind(name, n, n * 31 + 7));
    }
  }
}

TEST(ChunkCodecTest, SpecialValuesRoundTripBitExact) {
  const double nan_payload = std::bit_cast<double>(0x7ff8'0000'dead'beefULL);
  const double signalling = std::bit_cast<double>(0x7ff0'0000'0000'0001ULL);
  const double negative_nan = std::bit_cast<double>(0xfff8'0000'0000'0000ULL);
  Series s;
  const std::vector<double> specials = {0.0,
                                        -0.0,
                                        std::numeric_limits<double>::infinity(),
                                        -std::numeric_limits<double>::infinity(),
                                        nan_payload,
                                        signalling,
                                        negative_nan,
                                        std::numeric_limits<double>::denorm_min(),
                                        std::numeric_limits<double>::min(),
                                        std::numeric_limits<double>::max(),
                                        std::numeric_limits<double>::lowest(),
                                        1.0,
                                        0.1,
                                        9007199254740993.0};
  for (size_t i = 0; i < specials.size(); ++i) {
    s.ts.push_back(kStart + static_cast<int64_t>(i) * 10'000);
    s.values.push_back(specials[i]);
  }
  roundTrip(s);
  // Each alone, as constant series.
  for (double v : specials)
    roundTrip(Series{{kStart, kStart + 10'000, kStart + 20'000}, {v, v, v}});
  // -0.0 among integers must not decay to +0.0 through the decimal path.
  roundTrip(Series{{1, 2, 3}, {1.0, -0.0, 2.0}});
}

TEST(ChunkCodecTest, DecimalsRoundTripBitExact) {
  std::mt19937_64 rng(3);
  for (int d = 0; d <= 17; ++d) {
    Series s{jitteredGrid(200, rng), {}};
    for (size_t i = 0; i < 200; ++i) {
      s.values.push_back(static_cast<double>(static_cast<int64_t>(rng() % 2'000'000) - 1'000'000) /
                         std::pow(10.0, d));
    }
    SCOPED_TRACE(d);
    roundTrip(s);
  }
}

TEST(ChunkCodecTest, TimestampsMayGoBackwardsAndSpanInt64) {
  roundTrip(Series{{5, 3, 9, -100, 9}, {1, 2, 3, 4, 5}});
  const int64_t lo = std::numeric_limits<int64_t>::min();
  const int64_t hi = std::numeric_limits<int64_t>::max();
  roundTrip(Series{{lo, hi, 0, lo, hi, hi}, {1, 2, 3, 4, 5, 6}});
  roundTrip(Series{{hi, lo}, {0.5, 0.25}});
  roundTrip(Series{{-5}, {0.5}});
  // A missed scrape and a restart inside one chunk.
  std::mt19937_64 rng(9);
  Series s = kind("counter", 500, 4);
  for (size_t i = 200; i < s.ts.size(); ++i) s.ts[i] += 20'000;
  for (size_t i = 300; i < s.ts.size(); ++i) s.values[i] -= s.values[299];
  roundTrip(s);
}

TEST(ChunkCodecTest, CommonDivisorsRoundTrip) {
  // Residuals sharing a divisor are divided by multiplying with its inverse: odd,
  // even and power-of-two divisors, negative multiples, and the extremes.
  std::mt19937_64 rng(17);
  for (int64_t divisor :
       {2LL, 3LL, 7LL, 10LL, 12LL, 4096LL, 1000LL * 1000 * 1000, (1LL << 40) + 1, 3LL << 50}) {
    SCOPED_TRACE("divisor " + std::to_string(divisor));
    Series s;
    std::uniform_int_distribution<int64_t> step(-1000, 1000);
    int64_t t = 0;
    for (int i = 0; i < 120; ++i) {
      t += (divisor > (1LL << 40) ? i % 3 - 1 : step(rng)) * divisor;
      s.ts.push_back(t);
      s.values.push_back(static_cast<double>(step(rng) * divisor));
    }
    roundTrip(s);
  }
  const int64_t lo = std::numeric_limits<int64_t>::min();
  roundTrip(Series{{lo, 0, lo / 2, lo / 4 * 3}, {-4096.0 * 1024, 0, 4096, 8192}});
}

TEST(ChunkCodecTest, CompactOnTypicalData) {
  Series constant = kind("constant", 120, 1);
  for (size_t i = 0; i < constant.ts.size(); ++i)
    constant.ts[i] = kStart + static_cast<int64_t>(i) * 10'000;
  EXPECT_LE(roundTrip(constant), 24u);
  EXPECT_LE(roundTrip(kind("gauge1", 120, 1)), 200u);
  EXPECT_LE(roundTrip(Series{std::vector<int64_t>(120, 7), std::vector<double>(120, 0.0)}), 12u);
}

TEST(ChunkCodecTest, AppendsToOutputAndVectors) {
  const Series s = kind("gauge1", 50, 2);
  std::string out = "prefix";
  encodeChunk(s.ts, s.values, out);
  ASSERT_EQ(out.substr(0, 6), "prefix");
  std::vector<int64_t> ts = {42};
  std::vector<double> values = {4.2};
  decodeChunk(std::string_view(out).substr(6), ts, values);
  ASSERT_EQ(ts.size(), 51u);
  EXPECT_EQ(ts[0], 42);
  EXPECT_EQ(ts[1], s.ts[0]);
}

TEST(ChunkCodecTest, RejectsCallerBugs) {
  std::string out;
  const std::vector<int64_t> ts = {1, 2};
  const std::vector<double> one = {1.0};
  EXPECT_THROW(encodeChunk(ts, one, out), std::invalid_argument);
  EXPECT_THROW(encodeChunk({}, {}, out), std::invalid_argument);
  const std::vector<int64_t> many_ts(kMaxChunkSamples + 1, 0);
  const std::vector<double> many(kMaxChunkSamples + 1, 0.0);
  EXPECT_THROW(encodeChunk(many_ts, many, out), std::invalid_argument);
}

TEST(ChunkCodecTest, RejectsTruncatedAndTrailingBytes) {
  for (const char* name : {"random", "counter", "gauge1", "constant", "rare"}) {
    const Series s = kind(name, 300, 5);
    std::string encoded;
    encodeChunk(s.ts, s.values, encoded);
    for (size_t len = 0; len < encoded.size(); ++len) {
      std::vector<int64_t> ts = {1};
      std::vector<double> values = {2.0};
      EXPECT_THROW(decodeChunk(encoded.substr(0, len), ts, values), StoreError)
          << name << " " << len;
      EXPECT_EQ(ts.size(), 1u);  // untouched on failure
      EXPECT_EQ(values.size(), 1u);
    }
    std::vector<int64_t> ts;
    std::vector<double> values;
    EXPECT_THROW(decodeChunk(encoded + '\0', ts, values), StoreError);
  }
}

TEST(ChunkCodecTest, RejectsBadHeaders) {
  std::vector<int64_t> ts;
  std::vector<double> values;
  EXPECT_THROW(readChunkHeader(""), StoreError);
  EXPECT_THROW(readChunkHeader(std::string("\x02\x01\x00\x00", 4)), StoreError);  // version
  EXPECT_THROW(readChunkHeader(std::string("\x01\x00\x00\x00", 4)), StoreError);  // count 0
  EXPECT_THROW(readChunkHeader(std::string("\x01\xff\xff\xff\x0f\x00\x00", 7)), StoreError);
}

TEST(ChunkCodecTest, RandomAndMutatedBytesNeverCrash) {
  std::mt19937_64 rng(11);
  std::vector<std::string> encodings;
  for (const char* name : {"random", "counter", "bytes", "gauge3", "constant", "rare", "float"}) {
    for (size_t n : {1u, 2u, 120u, 500u}) {
      const Series s = kind(name, n, rng());
      encodings.emplace_back();
      encodeChunk(s.ts, s.values, encodings.back());
    }
  }
  size_t rejected = 0;
  std::vector<int64_t> ts;
  std::vector<double> values;
  for (int iteration = 0; iteration < 10'000; ++iteration) {
    std::string bytes = encodings[rng() % encodings.size()];
    const int mutations = 1 + static_cast<int>(rng() % 4);
    for (int m = 0; m < mutations; ++m) {
      const size_t at = rng() % bytes.size();
      switch (rng() % 4) {
        case 0:
          bytes[at] = static_cast<char>(bytes[at] ^ (1 << (rng() % 8)));
          break;
        case 1:
          bytes[at] = static_cast<char>(rng());
          break;
        case 2:
          bytes.erase(at, 1 + rng() % 8);
          break;
        default:
          bytes.insert(at, 1, static_cast<char>(rng()));
          break;
      }
      if (bytes.empty()) bytes.push_back('\x01');
    }
    ts.clear();
    values.clear();
    try {
      decodeChunk(bytes, ts, values);
      EXPECT_LE(ts.size(), kMaxChunkSamples);
      EXPECT_EQ(ts.size(), values.size());
    } catch (const StoreError&) {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 0u);
  for (int iteration = 0; iteration < 2'000; ++iteration) {
    std::string bytes(rng() % 64, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    if (!bytes.empty() && rng() % 2 == 0) bytes[0] = '\x01';
    ts.clear();
    values.clear();
    try {
      decodeChunk(bytes, ts, values);
    } catch (const StoreError&) {
    }
  }
}

TEST(HeadChunkTest, SmallAndDecodableAtAnyMoment) {
  const Series s = kind("gauge1", 120, 8);
  HeadChunk head;
  EXPECT_TRUE(head.empty());
  std::vector<int64_t> ts;
  std::vector<double> values;
  head.decode(ts, values);
  EXPECT_TRUE(ts.empty());
  for (size_t i = 0; i < s.ts.size(); ++i) {
    head.append(s.ts[i], s.values[i]);
    if (i % 17 == 0) {
      ts.clear();
      values.clear();
      head.decode(ts, values);
      ASSERT_EQ(ts.size(), i + 1);
      EXPECT_EQ(ts.back(), s.ts[i]);
      EXPECT_EQ(values.back(), s.values[i]);
    }
  }
  EXPECT_EQ(head.firstTimestampMs(), s.ts.front());
  EXPECT_EQ(head.lastTimestampMs(), s.ts.back());
  EXPECT_LE(sizeof(HeadChunk), 128u);
  // 120 samples of a noisy 1-decimal gauge with +-4 ms jitter: about 2.6 B a sample, plus
  // growth slack. A regression bound, not the goal (see head_chunk.h).
  EXPECT_LE(head.heapBytes(), 400u);
  EXPECT_LE(head.heapBytes(), head.sizeBytes() + head.sizeBytes() / 4 + 64);
  head.clear();
  EXPECT_TRUE(head.empty());
  EXPECT_EQ(head.heapBytes(), 0u);
}

TEST(HeadChunkTest, RejectsPastMaxSamples) {
  HeadChunk head;
  for (uint32_t i = 0; i < kMaxChunkSamples; ++i) head.append(i, 1.0);
  EXPECT_THROW(head.append(0, 1.0), std::length_error);
}

}  // namespace
}  // namespace tidemark::controller::chunk
