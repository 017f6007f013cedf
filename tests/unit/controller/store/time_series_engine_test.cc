// The engine behind SampleStore: heads sealed into chunks, the head log replayed on
// open, late samples, rollups, step aggregation, last values and retention.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "controller/store/sample_store.h"
#include "tests/support/test_support.h"

namespace tidemark::controller {
namespace {

using ::testing::ElementsAre;
using tidemark::testing::TempDir;

constexpr int64_t kStart = 1'700'000'000'000;  // 2023-11-14
constexpr int64_t kMinute = 60'000;

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() { reopen(); }

  void reopen() {
    store.reset();
    StoreOptions options;
    options.path = (dir.path() / "db").string();
    options.sync_writes = false;
    options.chunk_samples = chunk_samples;
    options.head_flush_interval_ms = flush_interval_ms;
    options.raw_retention_ms = raw_retention_ms;
    options.now_ms = [this] { return now_ms; };
    store = SampleStore::open(options);
  }

  uint64_t series(const std::string& host, const std::string& metric, const Labels& labels = {}) {
    WriteSet writes = store->beginWrite();
    uint64_t id = store->resolveSeries(writes, host, metric, labels);
    EXPECT_EQ(store->commit(writes), "");
    return id;
  }

  // One commit per call, as the ingest thread does per drained burst.
  void write(uint64_t id, const std::vector<int64_t>& ts, const std::vector<double>& values) {
    WriteSet writes = store->beginWrite();
    store->appendSamples(writes, id, ts, values);
    ASSERT_EQ(store->commit(writes), "");
  }

  SeriesResult only(SeriesQuery query) {
    auto results = store->query(query);
    EXPECT_EQ(results.size(), 1u);
    return results.empty() ? SeriesResult{} : results[0];
  }

  SeriesQuery range(const std::string& metric, int64_t since = INT64_MIN, int64_t until = INT64_MAX) {
    SeriesQuery query;
    query.metric = metric;
    query.since_ms = since;
    query.until_ms = until;
    return query;
  }

  uint32_t chunk_samples = 8;
  int64_t flush_interval_ms = 3600'000;
  int64_t raw_retention_ms = 15 * 24 * 3600'000LL;
  int64_t now_ms = kStart + 10 * 24 * 3600'000LL;
  TempDir dir;
  std::unique_ptr<SampleStore> store;
};

// Samples every 10 s with jitter, node-like values.
void makeSamples(size_t count, std::vector<int64_t>& ts, std::vector<double>& values, int seed = 1) {
  std::mt19937_64 random(seed);
  for (size_t i = 0; i < count; ++i) {
    ts.push_back(kStart + static_cast<int64_t>(i) * 10'000 + static_cast<int64_t>(random() % 7));
    values.push_back(std::round(static_cast<double>(random() % 100000)) / 100.0);
  }
}

TEST_F(EngineTest, SamplesAcrossManySealsComeBackExactlyBeforeAndAfterReopen) {
  const uint64_t id = series("web", "node_load1");
  std::vector<int64_t> ts;
  std::vector<double> values;
  makeSamples(100, ts, values);
  values[3] = -0.0;
  values[4] = std::nan("");
  values[5] = 1e300;
  // One sample per commit (like agents) for 50, then the rest in one commit.
  for (size_t i = 0; i < 50; ++i) write(id, {ts[i]}, {values[i]});
  write(id, std::vector<int64_t>(ts.begin() + 50, ts.end()),
        std::vector<double>(values.begin() + 50, values.end()));

  auto check = [&] {
    SeriesResult result = only(range("node_load1"));
    ASSERT_EQ(result.timestamps_ms, ts);
    ASSERT_EQ(result.values.size(), values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      EXPECT_EQ(std::bit_cast<uint64_t>(result.values[i]), std::bit_cast<uint64_t>(values[i])) << i;
    }
  };
  check();
  // 100 samples at 8 a chunk: 4 stay in the head, replayed from the head log.
  reopen();
  check();
  EXPECT_GT(store->diskUsage()["total"] + 1, 0u);
}

// Found by batch_ingest_fuzz: spans between timestamps at both ends of int64 overflowed.
TEST_F(EngineTest, TimestampsAtBothEndsOfTheRangeAreKept) {
  raw_retention_ms = 0;  // keep forever, or the reader would clamp the old end away
  reopen();
  const uint64_t id = series("web", "m");
  const int64_t low = std::numeric_limits<int64_t>::min() + 1;
  const int64_t high = std::numeric_limits<int64_t>::max() - 1;
  write(id, {low, 0, high}, {1, 2, 3});
  write(id, {low + 5}, {4});  // late: a chunk of its own
  SeriesQuery query = range("m");
  query.since_ms = std::numeric_limits<int64_t>::min();
  EXPECT_THAT(only(query).timestamps_ms, ElementsAre(low, low + 5, 0, high));
  reopen();
  EXPECT_THAT(only(query).values, ElementsAre(1, 4, 2, 3));
}

TEST_F(EngineTest, RangeQueriesCutInsideChunks) {
  const uint64_t id = series("web", "m");
  std::vector<int64_t> ts;
  std::vector<double> values;
  for (int i = 0; i < 30; ++i) {
    ts.push_back(kStart + i * 1000);
    values.push_back(i);
  }
  write(id, ts, values);
  SeriesResult result = only(range("m", kStart + 5000, kStart + 20'000));
  ASSERT_EQ(result.values.size(), 16u);
  EXPECT_EQ(result.values.front(), 5);
  EXPECT_EQ(result.values.back(), 20);
}

TEST_F(EngineTest, LateSamplesAreStoredSortedAndSurviveReopen) {
  const uint64_t id = series("web", "m");
  write(id, {kStart + 10'000, kStart + 20'000, kStart + 30'000}, {1, 2, 3});
  // Older than the newest: written as a chunk of its own.
  write(id, {kStart + 15'000, kStart + 5'000}, {1.5, 0.5});
  auto expect = [&] {
    SeriesResult result = only(range("m"));
    EXPECT_THAT(result.timestamps_ms, ElementsAre(kStart + 5'000, kStart + 10'000, kStart + 15'000,
                                                  kStart + 20'000, kStart + 30'000));
    EXPECT_THAT(result.values, ElementsAre(0.5, 1, 1.5, 2, 3));
  };
  expect();
  reopen();
  expect();
  // New samples keep going to the head after the late ones.
  write(id, {kStart + 40'000}, {4});
  EXPECT_EQ(only(range("m")).values.back(), 4);
}

TEST_F(EngineTest, BackfillIntoALiveSeriesKeepsBoth) {
  const uint64_t id = series("web", "m");
  std::vector<int64_t> live_ts, old_ts;
  std::vector<double> live_values, old_values;
  for (int i = 0; i < 20; ++i) {
    live_ts.push_back(kStart + 1'000'000 + i * 10'000);
    live_values.push_back(i);
    old_ts.push_back(kStart + i * 10'000);
    old_values.push_back(100 + i);
  }
  write(id, live_ts, live_values);
  write(id, old_ts, old_values);
  reopen();
  SeriesResult result = only(range("m"));
  ASSERT_EQ(result.values.size(), 40u);
  EXPECT_EQ(result.values.front(), 100);
  EXPECT_EQ(result.values.back(), 19);
}

TEST_F(EngineTest, StaleHeadsAreFlushedAndTheHeadLogIsCut) {
  flush_interval_ms = 60'000;
  reopen();
  const uint64_t quiet = series("web", "quiet");
  const uint64_t busy = series("web", "busy");
  write(quiet, {kStart}, {1});  // never fills a chunk
  for (int i = 0; i < 3; ++i) {
    now_ms += 61'000;  // a flush interval passes at each commit
    write(busy, {kStart + i * 1000}, {static_cast<double>(i)});
  }
  // The quiet head waited two intervals: sealed, so its sample is in a chunk now.
  SeriesQuery last = range("quiet");
  EXPECT_THAT(only(last).values, ElementsAre(1));
  EXPECT_THAT(store->diskUsage(), ::testing::Contains(::testing::Key("chunks")));
  reopen();
  EXPECT_THAT(only(last).values, ElementsAre(1));
  EXPECT_THAT(only(range("busy")).values, ElementsAre(0, 1, 2));
}

TEST_F(EngineTest, LastValuePerSeries) {
  const uint64_t a = series("web", "m", {{"k", "a"}});
  const uint64_t b = series("web", "m", {{"k", "b"}});
  std::vector<int64_t> ts;
  std::vector<double> values;
  makeSamples(20, ts, values);
  write(a, ts, values);                      // 16 sealed, 4 in the head
  write(b, {ts[0], ts[1]}, {values[0], 7});  // head only
  ASSERT_EQ(store->compact(), "");           // b's head sealed too: read from chunks
  write(a, {ts.back() + 10'000}, {42});
  SeriesQuery query = range("m");
  query.last_only = true;
  auto results = store->query(query);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_THAT(results[0].values, ElementsAre(42));
  EXPECT_THAT(results[0].timestamps_ms, ElementsAre(ts.back() + 10'000));
  EXPECT_THAT(results[1].values, ElementsAre(7));
}

TEST_F(EngineTest, LastValuesSortedByHostThenLabelsFromHeadsAndChunksAlike) {
  // Created out of sort order, on three hosts; some sealed into chunks, one out of range.
  struct Made {
    std::string host;
    std::string k;
    uint64_t id;
  };
  std::vector<Made> made;
  for (const char* host : {"web2", "db", "web10"}) {
    for (const char* k : {"b", "a", "ab", "B"}) made.push_back({host, k, series(host, "m", {{"k", k}})});
  }
  const uint64_t other_label = series("db", "m", {{"j", "z"}});
  for (size_t i = 0; i < made.size(); ++i) {
    write(made[i].id, {kStart + static_cast<int64_t>(i) * 1000}, {static_cast<double>(i)});
  }
  write(other_label, {kStart - 10 * kMinute}, {99});  // before `since`: not listed
  ASSERT_EQ(store->compact(), "");                   // everything so far in chunks
  write(made[1].id, {kStart + 60'000}, {100});       // web2/a: its newest in the head

  SeriesQuery query = range("m");
  query.since_ms = kStart - kMinute;
  query.last_only = true;
  auto check = [&] {
    auto results = store->query(query);
    std::vector<std::string> listed;
    for (const auto& r : results) {
      ASSERT_EQ(r.values.size(), 1u);
      listed.push_back(r.host + "/" + r.labels[0].value + "=" + std::to_string(static_cast<int>(r.values[0])));
    }
    EXPECT_THAT(listed, ElementsAre("db/B=7", "db/a=5", "db/ab=6", "db/b=4", "web10/B=11",
                                    "web10/a=9", "web10/ab=10", "web10/b=8", "web2/B=3",
                                    "web2/a=100", "web2/ab=2", "web2/b=0"));
  };
  check();
  reopen();  // the catalog rebuilt from disk, heads from the head log
  check();
}

TEST_F(EngineTest, ResultsFollowStringOrderForLongSharedPrefixesAndZeroBytes) {
  // Hosts and labels that agree on their first 8 bytes, differ only in length, or (label
  // values) hold zero bytes: the query's packed sort keys must order them as
  // std::string does.
  // (Hosts cannot hold zero bytes: the series key ends the host with one.)
  const std::vector<std::string> hosts = {"web", "web-frontend-2", "web-frontend-10", "webfront",
                                          "web-fron", "web-front"};
  const std::vector<std::string> values = {"",         "a",          std::string("a\0", 2),
                                           "abcdefgh", "abcdefgh1",  "abcdefgh10",
                                           "abcdefgi", "abcdefgh\xff"};
  std::mt19937 random(7);
  std::set<std::pair<std::string, Labels>> made;
  while (made.size() < 150) {
    const std::string& host = hosts[random() % hosts.size()];
    Labels labels;
    const unsigned count = random() % 3;
    const std::vector<std::string> names = {"k", "k-longer-than-8", "kk"};  // sorted
    for (unsigned i = 0; i < count; ++i) labels.push_back({names[i], values[random() % values.size()]});
    if (!made.emplace(host, labels).second) continue;
    write(series(host, "m", labels), {kStart}, {static_cast<double>(made.size())});
  }
  auto results = store->query(range("m"));
  ASSERT_EQ(results.size(), made.size());
  auto expected = made.begin();  // std::set: (host, labels) in std::string order
  for (const auto& result : results) {
    EXPECT_EQ(result.host, expected->first);
    EXPECT_EQ(result.labels, expected->second);
    ++expected;
  }
  // lastValues sorts with packed keys of its own.
  auto lasts = store->lastValues(range("m"));
  ASSERT_EQ(lasts.size(), made.size());
  expected = made.begin();
  for (const auto& last : lasts) {
    EXPECT_EQ(last.host, expected->first);
    EXPECT_EQ(last.labels(), expected->second);
    ++expected;
  }
}

// Brute force over the raw samples, for comparison with the store's answer.
std::map<int64_t, std::vector<double>> buckets(const std::vector<int64_t>& ts,
                                               const std::vector<double>& values, int64_t step) {
  std::map<int64_t, std::vector<double>> out;
  for (size_t i = 0; i < ts.size(); ++i) out[ts[i] - ((ts[i] % step) + step) % step].push_back(values[i]);
  return out;
}

TEST_F(EngineTest, StepAggregationFromRawAndFromRollupsMatchesBruteForce) {
  chunk_samples = 120;
  reopen();
  const uint64_t id = series("web", "m");
  std::vector<int64_t> ts;
  std::vector<double> values;
  makeSamples(6 * 60 * 5 + 17, ts, values);  // 5 h 2 min of 10 s samples
  for (size_t i = 0; i < ts.size(); i += 100) {
    const size_t end = std::min(ts.size(), i + 100);
    write(id, std::vector<int64_t>(ts.begin() + i, ts.begin() + end),
          std::vector<double>(values.begin() + i, values.begin() + end));
  }
  // Steps below 5 min come from raw samples; 5 min and 1 h from the rollups plus the
  // open head (17 + whatever did not fill a chunk).
  for (int64_t step : {int64_t{60'000}, 5 * kMinute, 15 * kMinute, 60 * kMinute, 120 * kMinute}) {
    for (Aggregation aggregation :
         {Aggregation::kMin, Aggregation::kMax, Aggregation::kAvg, Aggregation::kLast, Aggregation::kSum}) {
      SeriesQuery query = range("m");
      query.step_ms = step;
      query.aggregation = aggregation;
      SeriesResult result = only(query);
      auto expected = buckets(ts, values, step);
      ASSERT_EQ(result.timestamps_ms.size(), expected.size()) << step;
      size_t i = 0;
      for (const auto& [start, bucket] : expected) {
        double want = 0;
        switch (aggregation) {
          case Aggregation::kMin: want = *std::min_element(bucket.begin(), bucket.end()); break;
          case Aggregation::kMax: want = *std::max_element(bucket.begin(), bucket.end()); break;
          case Aggregation::kLast: want = bucket.back(); break;
          case Aggregation::kSum:
          case Aggregation::kAvg: {
            for (double v : bucket) want += v;
            if (aggregation == Aggregation::kAvg) want /= static_cast<double>(bucket.size());
            break;
          }
          default: break;
        }
        EXPECT_EQ(result.timestamps_ms[i], start);
        EXPECT_NEAR(result.values[i], want, 1e-6 * std::max(1.0, std::abs(want)))
            << "step " << step << " bucket " << start;
        ++i;
      }
    }
  }
}

TEST_F(EngineTest, RollupsOutliveRawRetention) {
  chunk_samples = 60;
  reopen();
  const uint64_t id = series("web", "m");
  std::vector<int64_t> ts;
  std::vector<double> values;
  const int64_t hour = kStart - kStart % 3'600'000;
  for (int i = 0; i < 360; ++i) {  // one hour at 10 s, aligned to the hour
    ts.push_back(hour + i * 10'000);
    values.push_back(i);
  }
  write(id, ts, values);
  ASSERT_EQ(store->compact(), "");
  // 20 days later: raw (15 d) is gone, 5 min rollups (90 d) are not.
  now_ms = kStart + 20 * 24 * 3600'000LL;
  reopen();
  ASSERT_EQ(store->compact(), "");
  EXPECT_TRUE(store->query(range("m")).empty());
  SeriesQuery query = range("m");
  query.step_ms = 5 * kMinute;
  query.aggregation = Aggregation::kMax;
  SeriesResult result = only(query);
  ASSERT_EQ(result.values.size(), 12u);
  EXPECT_EQ(result.values[0], 29);
  EXPECT_EQ(result.values[11], 359);
  EXPECT_EQ(store->diskUsage()["chunks"], 0u);
  // And 100 days later the 5 min rollups are gone too; hourly ones remain.
  now_ms = kStart + 100 * 24 * 3600'000LL;
  reopen();
  ASSERT_EQ(store->compact(), "");
  EXPECT_TRUE(store->query(query).empty());
  query.step_ms = 60 * kMinute;
  EXPECT_THAT(only(query).values, ElementsAre(359));
}

TEST_F(EngineTest, MatchersSelectSeries) {
  series("web", "m", {{"mode", "idle"}});
  series("web", "m", {{"mode", "user"}});
  series("db", "m", {{"mode", "idle"}});
  WriteSet writes = store->beginWrite();
  for (uint64_t id = 1; id <= 3; ++id) store->appendSample(writes, id, kStart, static_cast<double>(id));
  ASSERT_EQ(store->commit(writes), "");
  SeriesQuery query = range("m");
  query.matchers = {{"mode", "id.*", LabelMatcher::Op::kRegexMatch}};
  EXPECT_EQ(store->query(query).size(), 2u);
  query.host = "web";
  EXPECT_EQ(store->query(query).size(), 1u);
  query.matchers = {{"mode", "idle", LabelMatcher::Op::kNotEqual}};
  EXPECT_THAT(only(query).values, ElementsAre(2));
}

}  // namespace
}  // namespace tidemark::controller
namespace tidemark::controller {
namespace {
TEST_F(EngineTest, WritesAfterReopenSurviveTheNextReopen) {
  for (int flush : {0, 1}) {
    const uint64_t id = series("web", "m" + std::to_string(flush));
    std::vector<int64_t> ts;
    std::vector<double> values;
    makeSamples(40, ts, values);
    for (int i = 0; i < 20; ++i) write(id, {ts[i]}, {values[i]});
    reopen();
    if (flush) now_ms += 2 * flush_interval_ms;
    for (int i = 20; i < 40; ++i) {
      write(id, {ts[i]}, {values[i]});
      if (flush) now_ms += flush_interval_ms + 1;
    }
    reopen();
    EXPECT_EQ(only(range("m" + std::to_string(flush))).timestamps_ms, ts) << "flush " << flush;
  }
}
}  // namespace
}  // namespace tidemark::controller
