// Big commits are prepared in parts on two threads (sample_store_prepare.cc): the
// stored samples, heads, head log and rollups must be exactly what one thread writes,
// and a part that fails must leave nothing of the commit behind.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "controller/store/sample_store.h"
#include "tests/support/test_support.h"

namespace tidemark::controller {
namespace {

using tidemark::testing::TempDir;

struct SeriesData {
  std::string host;
  std::string metric;
  std::vector<int64_t> timestamps_ms;
  std::vector<double> values;
};

// Values of every kind the codec tells apart: counters, decimals, noise, NaN payloads,
// -0.0 and infinities, so that a bit lost anywhere shows.
double valueFor(std::mt19937_64& random, size_t series, size_t i) {
  switch (series % 4) {
    case 0: return static_cast<double>(i * 7 + series);
    case 1: return static_cast<double>(random() % 10000) / 100.0;
    case 2: return std::bit_cast<double>(random());
    default: {
      static constexpr double kOdd[] = {-0.0, std::numeric_limits<double>::infinity(),
                                        std::numeric_limits<double>::quiet_NaN(), 1e-300};
      return i % 5 == 0 ? kOdd[(i / 5) % 4] : static_cast<double>(i);
    }
  }
}

// `count` series on two hosts with `samples` samples each at 10 s from `start_ms`.
std::vector<SeriesData> makeSeries(size_t count, size_t samples, int64_t start_ms, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<SeriesData> out;
  for (size_t s = 0; s < count; ++s) {
    SeriesData data;
    data.host = s % 2 == 0 ? "web" : "db";
    data.metric = "m" + std::to_string(s);
    for (size_t i = 0; i < samples; ++i) {
      data.timestamps_ms.push_back(start_ms + static_cast<int64_t>(i) * 10'000 +
                                   static_cast<int64_t>(random() % 7));
      data.values.push_back(valueFor(random, s, i));
    }
    out.push_back(std::move(data));
  }
  return out;
}

class ParallelPrepareTest : public ::testing::Test {
 protected:
  std::unique_ptr<SampleStore> open(const std::string& name, uint32_t threads,
                                    uint32_t chunk_samples = 120,
                                    int64_t max_chunk_span_ms = 6 * 3600 * 1000) {
    StoreOptions options;
    options.path = (dir.path() / name).string();
    options.sync_writes = false;
    options.raw_retention_ms = 0;  // timestamps from 1970
    options.head_flush_interval_ms = 0;
    options.chunk_samples = chunk_samples;
    options.max_chunk_span_ms = max_chunk_span_ms;
    options.prepare_threads = threads;
    options.parallel_prepare_min_samples = 1000;
    return SampleStore::open(options);
  }

  // One commit of every series (from `offset` on, `count` samples each), the importer's way.
  static std::string write(SampleStore& store, const std::vector<SeriesData>& series, size_t offset,
                           size_t count) {
    WriteSet writes = store.beginWrite();
    for (const auto& data : series) {
      const uint64_t id = store.resolveSeries(writes, data.host, data.metric, {});
      const size_t n = std::min(count, data.timestamps_ms.size() - offset);
      store.appendSamples(writes, id, std::span(data.timestamps_ms).subspan(offset, n),
                          std::span(data.values).subspan(offset, n));
      store.hostForWrite(writes, data.host).samples += n;
    }
    return store.commit(writes);
  }

  static std::vector<SeriesResult> all(const SampleStore& store, const std::string& metric,
                                       int64_t step_ms = 0) {
    SeriesQuery query;
    query.metric = metric;
    query.step_ms = step_ms;
    query.aggregation = step_ms > 0 ? Aggregation::kMax : Aggregation::kNone;
    return store.query(query);
  }

  // Bit-exact comparison of one stored series with what was written.
  static void expectExact(const SampleStore& store, const SeriesData& data, size_t samples) {
    auto results = all(store, data.metric);
    ASSERT_EQ(results.size(), 1u) << data.metric;
    const auto& result = results[0];
    EXPECT_EQ(result.host, data.host);
    ASSERT_EQ(result.timestamps_ms.size(), samples) << data.metric;
    for (size_t i = 0; i < samples; ++i) {
      ASSERT_EQ(result.timestamps_ms[i], data.timestamps_ms[i]) << data.metric << " at " << i;
      ASSERT_EQ(std::bit_cast<uint64_t>(result.values[i]), std::bit_cast<uint64_t>(data.values[i]))
          << data.metric << " at " << i;
    }
  }

  TempDir dir;
};

TEST_F(ParallelPrepareTest, TwoThreadsStoreExactlyWhatOneThreadStores) {
  // 6 series x 3000 samples per commit: 18,000 samples, two parts of 3 series. Three
  // commits, so the later ones seal heads the earlier ones left open (carried samples).
  const auto series = makeSeries(6, 9000, 1'000'000, 42);
  auto parallel = open("parallel", 2);
  auto serial = open("serial", 1);
  for (size_t offset = 0; offset < 9000; offset += 3000) {
    // 2999 then 1: heads left part-full, then extended without a seal.
    ASSERT_EQ(write(*parallel, series, offset, 2999), "");
    ASSERT_EQ(write(*parallel, series, offset + 2999, 1), "");
    ASSERT_EQ(write(*serial, series, offset, 2999), "");
    ASSERT_EQ(write(*serial, series, offset + 2999, 1), "");
  }
  for (const auto& data : series) {
    expectExact(*parallel, data, 9000);
    expectExact(*serial, data, 9000);
    // Rollups: the same buckets either way.
    auto a = all(*parallel, data.metric, 3600 * 1000);
    auto b = all(*serial, data.metric, 3600 * 1000);
    ASSERT_EQ(a.size(), 1u);
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(a[0].timestamps_ms, b[0].timestamps_ms) << data.metric;
    ASSERT_EQ(a[0].values.size(), b[0].values.size());
    for (size_t i = 0; i < a[0].values.size(); ++i) {
      EXPECT_EQ(std::bit_cast<uint64_t>(a[0].values[i]), std::bit_cast<uint64_t>(b[0].values[i]))
          << data.metric << " bucket " << i;
    }
  }
  EXPECT_EQ(parallel->sampleCount(), 6u * 9000);

  // The heads come back from the head log exactly (nothing lost between the parts'
  // runs of one record).
  parallel.reset();
  parallel = open("parallel", 2);
  for (const auto& data : series) expectExact(*parallel, data, 9000);
}

TEST_F(ParallelPrepareTest, LateSamplesInBothPartsLandInOrder) {
  const auto series = makeSeries(4, 4000, 1'000'000, 7);
  auto store = open("db", 2);
  // The newest half first, then the older half: every series' second commit is late
  // (chunks of their own), in both parts.
  ASSERT_EQ(write(*store, series, 2000, 2000), "");
  ASSERT_EQ(write(*store, series, 0, 2000), "");
  for (const auto& data : series) expectExact(*store, data, 4000);
}

// chunk_samples above the codec's limit (65,536), with no span limit in the way, makes
// sealing a full chunk throw: the one way a valid commit fails while being prepared,
// here in either part.
TEST_F(ParallelPrepareTest, AFailingPartLeavesNothingOfTheCommit) {
  for (const bool fail_first : {false, true}) {
    SCOPED_TRACE(fail_first ? "first part fails" : "second part fails");
    const std::string name = fail_first ? "first" : "second";
    constexpr int64_t kYearMs = 365 * kDayMs;
    auto store = open(name, 2, /*chunk_samples=*/70'000, kYearMs);
    // A series of 70,000 samples seals a chunk of 70,000 (refused); one of 60,000 stays
    // in its head. The cut between the parts falls between the two series.
    auto big = makeSeries(1, 70'000, 1'000'000, 1)[0];
    auto small = makeSeries(1, 60'000, 1'000'000, 2)[0];
    big.metric = "big";
    small.metric = "small";
    // Series ids follow resolution order, parts follow ids.
    std::vector<SeriesData> order = fail_first ? std::vector{big, small} : std::vector{small, big};
    {
      WriteSet writes = store->beginWrite();
      for (const auto& data : order) {
        const uint64_t id = store->resolveSeries(writes, data.host, data.metric, {});
        store->appendSamples(writes, id, data.timestamps_ms, data.values);
        store->hostForWrite(writes, data.host).samples += data.timestamps_ms.size();
      }
      const std::string error = store->commit(writes);
      EXPECT_NE(error.find("preparing chunks"), std::string::npos) << error;
    }
    EXPECT_TRUE(all(*store, "big").empty());
    EXPECT_TRUE(all(*store, "small").empty());
    EXPECT_EQ(store->sampleCount(), 0u);
    EXPECT_EQ(store->seriesCount(), 0u);
    // Nothing on disk either, and the store still takes a good commit.
    store.reset();
    store = open(name, 2, 70'000, kYearMs);
    EXPECT_TRUE(all(*store, "small").empty());
    EXPECT_EQ(store->seriesCount(), 0u);
    ASSERT_EQ(write(*store, {small}, 0, 60'000), "");
    expectExact(*store, small, 60'000);
  }
}

}  // namespace
}  // namespace tidemark::controller
