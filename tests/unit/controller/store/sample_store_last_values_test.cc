// SampleStore::lastValues: flat records over the catalog's keys, the same series,
// order and values as a last-only query(), and the newest sample of series whose head
// is empty found by seeking back from their newest chunk.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "controller/store/sample_store.h"
#include "tests/support/test_support.h"

namespace tidemark::controller {
namespace {

using ::testing::ElementsAre;
using tidemark::testing::TempDir;

constexpr int64_t kStart = 1'700'000'000'000;

class LastValuesTest : public ::testing::Test {
 protected:
  LastValuesTest() {
    StoreOptions options;
    options.path = (dir.path() / "db").string();
    options.sync_writes = false;
    options.chunk_samples = 8;
    options.now_ms = [] { return kStart + 24 * 3600'000LL; };
    store = SampleStore::open(options);
  }

  uint64_t series(const std::string& host, const Labels& labels) {
    WriteSet writes = store->beginWrite();
    const uint64_t id = store->resolveSeries(writes, host, "m", labels);
    EXPECT_EQ(store->commit(writes), "");
    return id;
  }

  void write(uint64_t id, const std::vector<int64_t>& ts, const std::vector<double>& values) {
    WriteSet writes = store->beginWrite();
    store->appendSamples(writes, id, ts, values);
    ASSERT_EQ(store->commit(writes), "");
  }

  // "host/labels@timestamp offset=value" per record, in the order returned.
  std::vector<std::string> listed(const SeriesQuery& query) {
    std::vector<std::string> out;
    for (const LastValue& last : store->lastValues(query)) {
      std::string row = std::string(last.host) + "/";
      for (const auto& label : last.labels()) row += label.name + "=" + label.value + ",";
      out.push_back(row + "@" + std::to_string(last.timestamp_ms - kStart) + "=" +
                    std::to_string(static_cast<int>(last.value)));
    }
    return out;
  }

  static SeriesQuery everything() {
    SeriesQuery query;
    query.metric = "m";
    query.since_ms = INT64_MIN;
    return query;
  }

  TempDir dir;
  std::unique_ptr<SampleStore> store;
};

TEST_F(LastValuesTest, RecordsNameTheirSeriesSortedByHostThenLabelsAndAgreeWithQuery) {
  const uint64_t web_b = series("web", {{"dc", "x"}, {"k", "b"}});
  const uint64_t web_a = series("web", {{"dc", "y"}, {"k", "a"}});
  const uint64_t db = series("db", {{"k", "z"}});
  series("db", {{"k", "never-written"}});
  write(web_b, {kStart, kStart + 10'000}, {1, 2});
  write(web_a, {kStart + 5'000}, {3});
  write(db, {kStart + 1'000}, {4});

  SeriesQuery query = everything();
  EXPECT_THAT(listed(query), ElementsAre("db/k=z,@1000=4", "web/dc=x,k=b,@10000=2",
                                         "web/dc=y,k=a,@5000=3"));
  const auto lasts = store->lastValues(query);
  ASSERT_EQ(lasts.size(), 3u);
  EXPECT_EQ(lasts[1].metric, "m");
  EXPECT_EQ(lasts[1].series_id, web_b);
  EXPECT_EQ(lasts[1].label("k"), "b");
  EXPECT_EQ(lasts[1].label("absent"), "");

  query.last_only = true;
  const auto results = store->query(query);
  ASSERT_EQ(results.size(), lasts.size());
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].host, lasts[i].host);
    EXPECT_EQ(results[i].labels, lasts[i].labels());
    EXPECT_THAT(results[i].timestamps_ms, ElementsAre(lasts[i].timestamp_ms));
    EXPECT_THAT(results[i].values, ElementsAre(lasts[i].value));
  }

  query.host = "web";
  query.matchers = {{"k", "a|z", LabelMatcher::Op::kRegexNoMatch}};
  EXPECT_THAT(listed(query), ElementsAre("web/dc=x,k=b,@10000=2"));
  query.matchers = {{"dc", "y", LabelMatcher::Op::kEqual}};
  EXPECT_THAT(listed(query), ElementsAre("web/dc=y,k=a,@5000=3"));
  query.matchers = {{"k", "(", LabelMatcher::Op::kRegexMatch}};
  EXPECT_THROW(store->lastValues(query), std::invalid_argument);
}

TEST_F(LastValuesTest, EmptyHeadAfterCompactIsReadFromTheNewestChunkWithinTheBounds) {
  const uint64_t id = series("web", {});
  std::vector<int64_t> ts;
  std::vector<double> values;
  for (int i = 0; i < 100; ++i) {
    ts.push_back(kStart + i * 10'000);
    values.push_back(i);
  }
  write(id, ts, values);
  ASSERT_EQ(store->compact(), "");  // 13 chunks, the head empty

  SeriesQuery query = everything();
  EXPECT_THAT(listed(query), ElementsAre("web/@990000=99"));
  query.until_ms = ts[57] - 1;  // inside a chunk: its newest sample up to `until`
  EXPECT_THAT(listed(query), ElementsAre("web/@560000=56"));
  query.until_ms = ts[56];
  EXPECT_THAT(listed(query), ElementsAre("web/@560000=56"));
  query.since_ms = ts[56] + 1;  // nothing in [since, until]
  EXPECT_THAT(listed(query), ElementsAre());
  query = everything();
  query.until_ms = kStart - 1;
  EXPECT_THAT(listed(query), ElementsAre());
}

TEST_F(LastValuesTest, LateChunkStartingAfterTheNewestSamplesChunkDoesNotHideIt) {
  const uint64_t id = series("web", {});
  std::vector<int64_t> ts;
  std::vector<double> values;
  for (int i = 0; i < 8; ++i) {
    ts.push_back(kStart + i * 10'000);
    values.push_back(i);
  }
  write(id, ts, values);
  ASSERT_EQ(store->compact(), "");
  // Late: a chunk of its own, keyed after the chunk that starts at kStart.
  write(id, {kStart + 5'000}, {42});

  EXPECT_THAT(listed(everything()), ElementsAre("web/@70000=7"));
  SeriesQuery query = everything();
  query.until_ms = kStart + 9'999;
  EXPECT_THAT(listed(query), ElementsAre("web/@5000=42"));
}

}  // namespace
}  // namespace tidemark::controller
