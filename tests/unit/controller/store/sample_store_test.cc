#include "controller/store/sample_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "common/errors/error.h"
#include "tests/support/test_support.h"

namespace tidemark::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using tidemark::testing::TempDir;

using Samples = std::vector<std::pair<int64_t, double>>;

class SampleStoreTest : public ::testing::Test {
 protected:
  SampleStoreTest() { reopen(); }

  void reopen() {
    store.reset();
    StoreOptions options;
    options.path = (dir.path() / "db").string();
    options.sync_writes = false;
    // Fixture timestamps are from 1970: keep them despite the raw retention.
    options.raw_retention_ms = 0;
    store = SampleStore::open(options);
  }

  // Creates (or finds) a series and appends samples to it, counting them for the host.
  uint64_t put(WriteSet& writes, const std::string& host, const std::string& metric,
               const Labels& labels, const Samples& samples) {
    uint64_t id = store->resolveSeries(writes, host, metric, labels);
    for (const auto& [ts, value] : samples) store->appendSample(writes, id, ts, value);
    store->hostForWrite(writes, host).samples += samples.size();
    return id;
  }

  void commit(WriteSet& writes) { ASSERT_EQ(store->commit(writes), ""); }

  // Writes a small fleet: two hosts, cpu series with mode/cpu labels, a disk series.
  void writeFleet() {
    WriteSet writes = store->beginWrite();
    put(writes, "web", "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "idle"}},
        {{1000, 1}, {2000, 2}});
    put(writes, "web", "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "user"}},
        {{1000, 3}});
    put(writes, "web", "node_cpu_seconds_total", {{"cpu", "1"}, {"mode", "idle"}},
        {{1000, 5}});
    put(writes, "db", "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "idle"}},
        {{1000, 7}});
    put(writes, "web", "node_disk_reads", {{"device", "sda"}}, {{1000, 10}});
    put(writes, "web", "node_disk_reads", {{"device", "sdb1"}}, {{1000, 11}});
    put(writes, "web", "node_disk_reads", {{"device", "nvme0n1"}}, {{1000, 12}});
    put(writes, "web", "node_disk_reads", {}, {{1000, 13}});
    commit(writes);
  }

  std::vector<SeriesResult> query(const std::string& metric, std::vector<LabelMatcher> matchers = {},
                                  const std::string& host = "") {
    SeriesQuery q;
    q.metric = metric;
    q.host = host;
    q.matchers = std::move(matchers);
    return store->query(q);
  }

  // Renders each result as "host metric{labels}" for compact assertions.
  static std::vector<std::string> names(const std::vector<SeriesResult>& results) {
    std::vector<std::string> out;
    for (const auto& r : results) out.push_back(r.host + " " + formatSeries(r.metric, r.labels));
    return out;
  }

  TempDir dir;
  std::unique_ptr<SampleStore> store;
};

TEST_F(SampleStoreTest, FreshStoreIsEmpty) {
  EXPECT_TRUE(store->hosts().empty());
  EXPECT_EQ(store->seriesCount(), 0u);
  EXPECT_EQ(store->sampleCount(), 0u);
  EXPECT_EQ(store->host("web"), std::nullopt);
  EXPECT_TRUE(query("up").empty());
  EXPECT_EQ(store->path(), (dir.path() / "db").string());
}

TEST(SampleStoreOpenTest, EmptyPathIsStoreError) {
  EXPECT_THROW(SampleStore::open(StoreOptions{}), StoreError);
}

TEST(SampleStoreOpenTest, UnusablePathIsStoreErrorNamingIt) {
  TempDir dir;
  dir.write("file", "not a folder");
  StoreOptions options;
  options.path = (dir.path() / "file" / "db").string();
  try {
    SampleStore::open(options);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_THAT(e.what(), HasSubstr(options.path));
  }
}

TEST_F(SampleStoreTest, ResolveSeriesCreatesIdsOnce) {
  WriteSet writes = store->beginWrite();
  uint64_t a = store->resolveSeries(writes, "web", "up", {{"job", "node"}});
  uint64_t b = store->resolveSeries(writes, "web", "up", {{"job", "other"}});
  uint64_t c = store->resolveSeries(writes, "db", "up", {{"job", "node"}});
  uint64_t d = store->resolveSeries(writes, "web", "down", {{"job", "node"}});
  EXPECT_EQ(a, 1u);
  EXPECT_EQ(store->resolveSeries(writes, "web", "up", {{"job", "node"}}), a);
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, d);
  EXPECT_NE(b, c);
  EXPECT_EQ(store->hostForWrite(writes, "web").series, 3u);
  EXPECT_EQ(store->hostForWrite(writes, "db").series, 1u);
  commit(writes);
  EXPECT_EQ(store->seriesCount(), 4u);

  // After commit: the same ids, nothing new created.
  WriteSet again = store->beginWrite();
  EXPECT_EQ(store->resolveSeries(again, "web", "up", {{"job", "node"}}), a);
  EXPECT_EQ(store->resolveSeries(again, "db", "up", {{"job", "node"}}), c);
  EXPECT_EQ(store->hostForWrite(again, "web").series, 3u);
  commit(again);
  EXPECT_EQ(store->seriesCount(), 4u);
}

TEST_F(SampleStoreTest, ResolveSeriesSurvivesReopen) {
  WriteSet writes = store->beginWrite();
  uint64_t a = store->resolveSeries(writes, "web", "up", {{"job", "node"}});
  uint64_t b = store->resolveSeries(writes, "web", "load1", {});
  commit(writes);

  reopen();
  WriteSet again = store->beginWrite();
  EXPECT_EQ(store->resolveSeries(again, "web", "up", {{"job", "node"}}), a);
  EXPECT_EQ(store->resolveSeries(again, "web", "load1", {}), b);
  // A new series gets a fresh id, not one already handed out.
  uint64_t c = store->resolveSeries(again, "web", "load5", {});
  EXPECT_GT(c, std::max(a, b));
  commit(again);
  EXPECT_EQ(store->seriesCount(), 3u);
  EXPECT_EQ(store->host("web")->series, 3u);
}

TEST_F(SampleStoreTest, NextSeriesIdSurvivesReopen) {
  {
    WriteSet writes = store->beginWrite();
    for (int i = 0; i < 5; ++i) store->resolveSeries(writes, "h", "m" + std::to_string(i), {});
    commit(writes);
  }
  reopen();
  WriteSet writes = store->beginWrite();
  EXPECT_EQ(store->resolveSeries(writes, "h", "fresh", {}), 6u);
  EXPECT_EQ(store->resolveSeries(writes, "other", "m0", {}), 7u);
  commit(writes);
  reopen();
  WriteSet third = store->beginWrite();
  EXPECT_EQ(store->resolveSeries(third, "h", "fresher", {}), 8u);
}

TEST_F(SampleStoreTest, UncommittedWriteSetLeavesNoTrace) {
  {
    WriteSet writes = store->beginWrite();
    put(writes, "web", "up", {}, {{1000, 1}});
    store->hostForWrite(writes, "web").agent_version = "x";
    EXPECT_EQ(writes.samples(), 1u);
    // Not committed: dropped.
  }
  EXPECT_TRUE(store->hosts().empty());
  EXPECT_TRUE(query("up").empty());
  EXPECT_EQ(store->seriesCount(), 0u);
  EXPECT_EQ(store->sampleCount(), 0u);
}

TEST_F(SampleStoreTest, NothingVisibleBeforeCommit) {
  WriteSet writes = store->beginWrite();
  put(writes, "web", "up", {{"job", "node"}}, {{1000, 1}, {2000, 2}});
  store->hostForWrite(writes, "web").last_sequence = 5;
  EXPECT_EQ(writes.samples(), 2u);
  EXPECT_TRUE(query("up").empty());
  EXPECT_TRUE(store->hosts().empty());
  EXPECT_EQ(store->host("web"), std::nullopt);
  EXPECT_EQ(store->seriesCount(), 0u);
  EXPECT_EQ(store->sampleCount(), 0u);

  commit(writes);
  auto results = query("up");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].host, "web");
  EXPECT_EQ(results[0].metric, "up");
  EXPECT_EQ(results[0].labels, (Labels{{"job", "node"}}));
  EXPECT_THAT(results[0].timestamps_ms, ElementsAre(1000, 2000));
  EXPECT_THAT(results[0].values, ElementsAre(1.0, 2.0));
  EXPECT_EQ(store->host("web")->last_sequence, 5u);
  EXPECT_EQ(store->seriesCount(), 1u);
  EXPECT_EQ(store->sampleCount(), 2u);
}

TEST_F(SampleStoreTest, CommitAppliesHostState) {
  WriteSet writes = store->beginWrite();
  HostState& state = store->hostForWrite(writes, "web");
  EXPECT_EQ(state.host, "web");
  EXPECT_EQ(state.epoch, 0u);
  state.epoch = 42;
  state.last_sequence = 9;
  state.last_seen_ms = 1'700'000'000'000;
  state.agent_version = "0.1.0";
  state.boot_id = "boot";
  state.interval_ms = 5000;
  state.facts = {{"kernel", "6.1"}, {"cpu_count", "8"}};
  commit(writes);  // moves the pending state: `state` is not used after this

  auto host = store->host("web");
  ASSERT_TRUE(host.has_value());
  EXPECT_EQ(host->host, "web");
  EXPECT_EQ(host->epoch, 42u);
  EXPECT_EQ(host->last_sequence, 9u);
  EXPECT_EQ(host->last_seen_ms, 1'700'000'000'000);
  EXPECT_EQ(host->agent_version, "0.1.0");
  EXPECT_EQ(host->boot_id, "boot");
  EXPECT_EQ(host->interval_ms, 5000u);
  EXPECT_EQ(host->facts,
            (std::vector<std::pair<std::string, std::string>>{{"kernel", "6.1"}, {"cpu_count", "8"}}));

  // A later write set starts from the committed state.
  WriteSet next = store->beginWrite();
  HostState& again = store->hostForWrite(next, "web");
  EXPECT_EQ(again.epoch, 42u);
  EXPECT_EQ(again.last_sequence, 9u);
  again.last_sequence = 10;
  // Until committed, readers still see 9.
  EXPECT_EQ(store->host("web")->last_sequence, 9u);
  commit(next);
  EXPECT_EQ(store->host("web")->last_sequence, 10u);
}

TEST_F(SampleStoreTest, ReopenRestoresHosts) {
  writeFleet();
  {
    WriteSet writes = store->beginWrite();
    HostState& state = store->hostForWrite(writes, "web");
    state.epoch = 3;
    state.last_sequence = 77;
    state.agent_version = "9.9";
    state.facts = {{"k", "v"}};
    commit(writes);
  }
  reopen();
  auto hosts = store->hosts();
  ASSERT_EQ(hosts.size(), 2u);
  EXPECT_EQ(hosts[0].host, "db");
  EXPECT_EQ(hosts[1].host, "web");
  EXPECT_EQ(hosts[1].epoch, 3u);
  EXPECT_EQ(hosts[1].last_sequence, 77u);
  EXPECT_EQ(hosts[1].agent_version, "9.9");
  EXPECT_EQ(hosts[1].series, 7u);
  EXPECT_EQ(hosts[1].samples, 8u);
  EXPECT_EQ(hosts[1].facts, (std::vector<std::pair<std::string, std::string>>{{"k", "v"}}));
  EXPECT_EQ(store->seriesCount(), 8u);
  EXPECT_EQ(store->sampleCount(), 9u);
  EXPECT_EQ(query("node_cpu_seconds_total").size(), 4u);
}

TEST_F(SampleStoreTest, CountsSumOverHosts) {
  writeFleet();
  EXPECT_EQ(store->seriesCount(), 8u);
  EXPECT_EQ(store->sampleCount(), 9u);
  EXPECT_EQ(store->host("web")->series, 7u);
  EXPECT_EQ(store->host("db")->series, 1u);
  EXPECT_EQ(store->host("db")->samples, 1u);
}

TEST_F(SampleStoreTest, QueryByMetricSelectsOnlyThatMetric) {
  writeFleet();
  {
    WriteSet writes = store->beginWrite();
    // Shares a prefix with node_disk_reads: must not leak into its results.
    put(writes, "web", "node_disk_reads_total", {}, {{1000, 99}});
    commit(writes);
  }
  EXPECT_THAT(names(query("node_disk_reads")),
              ElementsAre("web node_disk_reads", "web node_disk_reads{device=\"nvme0n1\"}",
                          "web node_disk_reads{device=\"sda\"}",
                          "web node_disk_reads{device=\"sdb1\"}"));
  EXPECT_THAT(names(query("node_disk_reads_total")), ElementsAre("web node_disk_reads_total"));
  EXPECT_TRUE(query("node_disk").empty());
  EXPECT_TRUE(query("missing").empty());
}

TEST_F(SampleStoreTest, QueryByHost) {
  writeFleet();
  EXPECT_THAT(names(query("node_cpu_seconds_total", {}, "db")),
              ElementsAre("db node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}"));
  EXPECT_EQ(query("node_cpu_seconds_total", {}, "web").size(), 3u);
  EXPECT_TRUE(query("node_cpu_seconds_total", {}, "we").empty());
  EXPECT_TRUE(query("node_cpu_seconds_total", {}, "nobody").empty());
  // Without a host: every host, sorted by host then labels.
  EXPECT_THAT(names(query("node_cpu_seconds_total")),
              ElementsAre("db node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}",
                          "web node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}",
                          "web node_cpu_seconds_total{cpu=\"0\",mode=\"user\"}",
                          "web node_cpu_seconds_total{cpu=\"1\",mode=\"idle\"}"));
}

LabelMatcher matcher(const std::string& name, LabelMatcher::Op op, const std::string& value) {
  LabelMatcher m;
  m.name = name;
  m.op = op;
  m.value = value;
  return m;
}

using Op = LabelMatcher::Op;

TEST_F(SampleStoreTest, EqualMatcher) {
  writeFleet();
  EXPECT_THAT(names(query("node_cpu_seconds_total", {matcher("mode", Op::kEqual, "idle")}, "web")),
              ElementsAre("web node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}",
                          "web node_cpu_seconds_total{cpu=\"1\",mode=\"idle\"}"));
  EXPECT_THAT(names(query("node_cpu_seconds_total",
                          {matcher("mode", Op::kEqual, "idle"), matcher("cpu", Op::kEqual, "1")})),
              ElementsAre("web node_cpu_seconds_total{cpu=\"1\",mode=\"idle\"}"));
  EXPECT_TRUE(query("node_cpu_seconds_total", {matcher("mode", Op::kEqual, "idl")}).empty());
  // A missing label counts as empty, as in Prometheus.
  EXPECT_THAT(names(query("node_disk_reads", {matcher("device", Op::kEqual, "")})),
              ElementsAre("web node_disk_reads"));
}

TEST_F(SampleStoreTest, NotEqualMatcher) {
  writeFleet();
  EXPECT_THAT(names(query("node_cpu_seconds_total", {matcher("mode", Op::kNotEqual, "idle")})),
              ElementsAre("web node_cpu_seconds_total{cpu=\"0\",mode=\"user\"}"));
  EXPECT_EQ(query("node_disk_reads", {matcher("device", Op::kNotEqual, "")}).size(), 3u);
  EXPECT_EQ(query("node_disk_reads", {matcher("absent", Op::kNotEqual, "x")}).size(), 4u);
}

TEST_F(SampleStoreTest, RegexMatcherIsFullMatch) {
  writeFleet();
  EXPECT_THAT(names(query("node_disk_reads", {matcher("device", Op::kRegexMatch, "sd.*")})),
              ElementsAre("web node_disk_reads{device=\"sda\"}",
                          "web node_disk_reads{device=\"sdb1\"}"));
  // Anchored: "sd" alone does not match "sda", and "d" matches nothing.
  EXPECT_TRUE(query("node_disk_reads", {matcher("device", Op::kRegexMatch, "sd")}).empty());
  EXPECT_TRUE(query("node_disk_reads", {matcher("device", Op::kRegexMatch, "d")}).empty());
  EXPECT_THAT(names(query("node_disk_reads", {matcher("device", Op::kRegexMatch, "sd[a-z]|nvme.*")})),
              ElementsAre("web node_disk_reads{device=\"nvme0n1\"}",
                          "web node_disk_reads{device=\"sda\"}"));
  // ".*" also matches the series without the label (empty value).
  EXPECT_EQ(query("node_disk_reads", {matcher("device", Op::kRegexMatch, ".*")}).size(), 4u);
  EXPECT_EQ(query("node_disk_reads", {matcher("device", Op::kRegexMatch, ".+")}).size(), 3u);
}

TEST_F(SampleStoreTest, RegexNoMatchIsFullMatch) {
  writeFleet();
  EXPECT_THAT(names(query("node_disk_reads", {matcher("device", Op::kRegexNoMatch, "sd.*")})),
              ElementsAre("web node_disk_reads", "web node_disk_reads{device=\"nvme0n1\"}"));
  // "sd" is not a full match of any device: nothing is excluded.
  EXPECT_EQ(query("node_disk_reads", {matcher("device", Op::kRegexNoMatch, "sd")}).size(), 4u);
  EXPECT_THAT(names(query("node_disk_reads", {matcher("device", Op::kRegexNoMatch, ".*")})),
              ElementsAre());
}

TEST_F(SampleStoreTest, MatchersCombineWithAnd) {
  writeFleet();
  EXPECT_THAT(names(query("node_cpu_seconds_total",
                          {matcher("mode", Op::kRegexMatch, "idle|user"),
                           matcher("cpu", Op::kNotEqual, "1"),
                           matcher("mode", Op::kRegexNoMatch, "u.*")},
                          "web")),
              ElementsAre("web node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}"));
}

TEST_F(SampleStoreTest, InvalidRegexIsInvalidArgument) {
  writeFleet();
  EXPECT_THROW(query("node_disk_reads", {matcher("device", Op::kRegexMatch, "sd[")}),
               std::invalid_argument);
  EXPECT_THROW(query("node_disk_reads", {matcher("device", Op::kRegexNoMatch, "(unclosed")}),
               std::invalid_argument);
  try {
    query("node_disk_reads", {matcher("device", Op::kRegexMatch, "*")});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("device"));
    EXPECT_THAT(e.what(), HasSubstr("invalid regular expression"));
  }
  // Equality matchers are not regular expressions.
  EXPECT_NO_THROW(query("node_disk_reads", {matcher("device", Op::kEqual, "sd[")}));
}

TEST_F(SampleStoreTest, TimeRangeBoundsAreInclusive) {
  WriteSet writes = store->beginWrite();
  put(writes, "h", "m", {}, {{-2000, -2}, {-1000, -1}, {0, 0}, {1000, 1}, {2000, 2}, {3000, 3}});
  commit(writes);
  auto range = [&](int64_t since, int64_t until) {
    SeriesQuery q;
    q.metric = "m";
    q.since_ms = since;
    q.until_ms = until;
    auto results = store->query(q);
    return results.empty() ? std::vector<int64_t>{} : results[0].timestamps_ms;
  };
  EXPECT_THAT(range(1000, 2000), ElementsAre(1000, 2000));
  EXPECT_THAT(range(999, 2001), ElementsAre(1000, 2000));
  EXPECT_THAT(range(1001, 1999), ElementsAre());
  EXPECT_THAT(range(2000, 2000), ElementsAre(2000));
  EXPECT_THAT(range(-1000, 0), ElementsAre(-1000, 0));
  EXPECT_THAT(range(INT64_MIN, INT64_MAX), ElementsAre(-2000, -1000, 0, 1000, 2000, 3000));
  // The default range starts at 0.
  SeriesQuery q;
  q.metric = "m";
  auto results = store->query(q);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_THAT(results[0].timestamps_ms, ElementsAre(0, 1000, 2000, 3000));
  EXPECT_THAT(results[0].values, ElementsAre(0.0, 1.0, 2.0, 3.0));
}

TEST_F(SampleStoreTest, SeriesWithoutSamplesInRangeAreOmitted) {
  writeFleet();
  SeriesQuery q;
  q.metric = "node_cpu_seconds_total";
  q.since_ms = 1500;
  auto results = store->query(q);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].labels, (Labels{{"cpu", "0"}, {"mode", "idle"}}));
  EXPECT_THAT(results[0].timestamps_ms, ElementsAre(2000));
}

TEST_F(SampleStoreTest, SamplesOfNeighbouringSeriesDoNotLeak) {
  WriteSet writes = store->beginWrite();
  put(writes, "h", "a", {}, {{1, 1}, {2, 2}});
  put(writes, "h", "b", {}, {{INT64_MIN, 9}, {1, 10}});
  put(writes, "h", "c", {}, {{INT64_MAX, 7}});
  commit(writes);
  SeriesQuery q;
  q.metric = "a";
  q.since_ms = INT64_MIN;
  auto results = store->query(q);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_THAT(results[0].values, ElementsAre(1.0, 2.0));
  q.metric = "b";
  results = store->query(q);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_THAT(results[0].timestamps_ms, ElementsAre(INT64_MIN, 1));
  q.metric = "c";
  results = store->query(q);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_THAT(results[0].timestamps_ms, ElementsAre(INT64_MAX));
}

TEST_F(SampleStoreTest, MaxSamplesPerSeriesKeepsNewest) {
  WriteSet writes = store->beginWrite();
  put(writes, "h", "m", {{"k", "a"}}, {{1000, 1}, {2000, 2}, {3000, 3}, {4000, 4}});
  put(writes, "h", "m", {{"k", "b"}}, {{1000, 10}});
  commit(writes);
  SeriesQuery q;
  q.metric = "m";
  q.max_samples_per_series = 2;
  auto results = store->query(q);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_THAT(results[0].timestamps_ms, ElementsAre(3000, 4000));
  EXPECT_THAT(results[0].values, ElementsAre(3.0, 4.0));
  EXPECT_THAT(results[1].timestamps_ms, ElementsAre(1000));
  // Within a range: the newest inside the range.
  q.until_ms = 3000;
  q.max_samples_per_series = 1;
  results = store->query(q);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_THAT(results[0].timestamps_ms, ElementsAre(3000));
  EXPECT_THAT(results[0].values, ElementsAre(3.0));
}

TEST_F(SampleStoreTest, SameTimestampOverwrites) {
  WriteSet writes = store->beginWrite();
  uint64_t id = store->resolveSeries(writes, "h", "m", {});
  store->appendSample(writes, id, 1000, 1);
  commit(writes);
  WriteSet again = store->beginWrite();
  store->appendSample(again, id, 1000, 2);
  commit(again);
  auto results = query("m");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_THAT(results[0].values, ElementsAre(2.0));
}

TEST_F(SampleStoreTest, FindSeriesNeverCreates) {
  WriteSet writes = store->beginWrite();
  EXPECT_EQ(store->findSeries(writes, "web", "up", {}), std::nullopt);
  uint64_t id = store->resolveSeries(writes, "web", "up", {});
  EXPECT_EQ(store->findSeries(writes, "web", "up", {}), id);  // pending in this write set
  EXPECT_EQ(store->findSeries(WriteSet{}, "web", "up", {}), std::nullopt);
  EXPECT_EQ(store->findSeries(writes, "db", "up", {}), std::nullopt);
  commit(writes);
  reopen();  // empty caches: found in the database
  WriteSet after = store->beginWrite();
  EXPECT_EQ(store->findSeries(after, "web", "up", {}), id);
  EXPECT_EQ(store->findSeries(after, "web", "up", {{"a", "b"}}), std::nullopt);
  commit(after);
  EXPECT_EQ(store->seriesCount(), 1u);
}

TEST_F(SampleStoreTest, AgentSeriesMapping) {
  WriteSet writes = store->beginWrite();
  uint64_t id = store->resolveSeries(writes, "web", "up", {});
  EXPECT_EQ(store->agentSeries(writes, "web", 7, 1), std::nullopt);
  store->mapAgentSeries(writes, "web", 7, 1, id);
  // Visible through the write set before commit...
  EXPECT_EQ(store->agentSeries(writes, "web", 7, 1), id);
  // ...but not to another write set.
  WriteSet other;  // another, empty write set (no lock: never committed)
  EXPECT_EQ(store->agentSeries(other, "web", 7, 1), std::nullopt);
  commit(writes);

  WriteSet after = store->beginWrite();
  EXPECT_EQ(store->agentSeries(after, "web", 7, 1), id);
  EXPECT_EQ(store->agentSeries(after, "web", 8, 1), std::nullopt);  // other epoch
  EXPECT_EQ(store->agentSeries(after, "web", 7, 2), std::nullopt);  // other id
  EXPECT_EQ(store->agentSeries(after, "db", 7, 1), std::nullopt);   // other host
  commit(after);

  reopen();
  WriteSet reopened = store->beginWrite();
  EXPECT_EQ(store->agentSeries(reopened, "web", 7, 1), id);
}

}  // namespace
}  // namespace tidemark::controller
