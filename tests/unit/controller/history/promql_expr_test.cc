#include "controller/history/promql_expr.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace tidemark::controller::promql {
namespace {

TEST(PromqlExprTest, SelectorCarriesHostAndMatchersEscaped) {
  SeriesQuery query;
  query.metric = "node_filesystem_avail_bytes";
  query.host = "web\"1";
  query.matchers = {{"mountpoint", "/srv/a\\b", LabelMatcher::Op::kEqual},
                    {"fstype", "tmpfs|ramfs", LabelMatcher::Op::kRegexNoMatch},
                    {"device", "sd.*", LabelMatcher::Op::kRegexMatch},
                    {"ship", "zod", LabelMatcher::Op::kNotEqual}};
  EXPECT_EQ(selector(query), R"(node_filesystem_avail_bytes{host="web\"1",mountpoint="/srv/a\\b",)"
                             R"(fstype!~"tmpfs|ramfs",device=~"sd.*",ship!="zod"})");
}

TEST(PromqlExprTest, SelectorWithoutHostSkipsSeriesWithoutOne) {
  SeriesQuery query;
  query.metric = "urbit_ship_up";
  EXPECT_EQ(selector(query), R"(urbit_ship_up{host!=""})");
}

TEST(PromqlExprTest, SelectorRefusesNamesThatWouldInjectPromql) {
  SeriesQuery query;
  query.metric = "up} or vector(1";
  EXPECT_THROW(selector(query), std::invalid_argument);
  query.metric = "up";
  query.matchers = {{"a=\"b\"} or x{c", "d", LabelMatcher::Op::kEqual}};
  EXPECT_THROW(selector(query), std::invalid_argument);
}

TEST(PromqlExprTest, ExactSelectorNamesEveryLabel) {
  EXPECT_EQ(exactSelector("urbit_ship_up", "web", {{"pier", "/srv/zod"}, {"ship", "zod"}}),
            R"(urbit_ship_up{host="web",pier="/srv/zod",ship="zod"})");
}

TEST(PromqlExprTest, TimesAndDurations) {
  EXPECT_EQ(unixSeconds(1'700'000'000'123), "1700000000.123");
  EXPECT_EQ(unixSeconds(1'700'000'000'000), "1700000000.000");
  EXPECT_EQ(unixSeconds(5), "0.005");
  EXPECT_EQ(duration(3'600'000), "3600000ms");
  EXPECT_EQ(duration(0), "1ms");
}

TEST(PromqlExprTest, AggregationsMapToOverTimeFunctions) {
  EXPECT_EQ(overTimeFunction(Aggregation::kNone), "avg_over_time");
  EXPECT_EQ(overTimeFunction(Aggregation::kAvg), "avg_over_time");
  EXPECT_EQ(overTimeFunction(Aggregation::kMin), "min_over_time");
  EXPECT_EQ(overTimeFunction(Aggregation::kMax), "max_over_time");
  EXPECT_EQ(overTimeFunction(Aggregation::kSum), "sum_over_time");
  EXPECT_EQ(overTimeFunction(Aggregation::kLast), "last_over_time");
  EXPECT_EQ(overTimeFunction(Aggregation::kCount), "count_over_time");
}

TEST(PromqlExprTest, StepsSplitAtThePointLimit) {
  // 30 days of 1 min steps: 43,201 points, Prometheus takes 11,000 per query.
  const int64_t step = 60'000;
  const int64_t first = 1'000 * step - 1;
  const int64_t last = first + 30LL * 1440 * step;
  const auto spans = splitSteps(first, last, step, 11'000);
  ASSERT_EQ(spans.size(), 4u);
  int64_t points = 0;
  int64_t expected_from = first;
  for (const auto& span : spans) {
    EXPECT_EQ(span.from_ms, expected_from);
    EXPECT_EQ((span.to_ms - span.from_ms) % step, 0);
    const int64_t count = (span.to_ms - span.from_ms) / step + 1;
    EXPECT_LE(count, 11'000);
    points += count;
    expected_from = span.to_ms + step;
  }
  EXPECT_EQ(points, 30 * 1440 + 1);
  EXPECT_EQ(spans.back().to_ms, last);
}

TEST(PromqlExprTest, ShortStepRangesAreOneQuery) {
  EXPECT_EQ(splitSteps(0, 3'600'000, 3'600'000, 11'000), (std::vector<Span>{{0, 3'600'000}}));
  EXPECT_EQ(splitSteps(10, 10, 5, 11'000), (std::vector<Span>{{10, 10}}));
  EXPECT_TRUE(splitSteps(10, 9, 5, 11'000).empty());
  EXPECT_THROW(splitSteps(0, 10, 0, 11'000), std::invalid_argument);
}

TEST(PromqlExprTest, RawRangesSplitIntoAdjacentPieces) {
  const auto spans = splitRaw(0, 2'500, 1'000);
  EXPECT_EQ(spans, (std::vector<Span>{{0, 999}, {1'000, 1'999}, {2'000, 2'500}}));
  EXPECT_EQ(splitRaw(7, 7, 1'000), (std::vector<Span>{{7, 7}}));
  EXPECT_EQ(splitRaw(0, 999, 1'000), (std::vector<Span>{{0, 999}}));
  EXPECT_TRUE(splitRaw(10, 9, 1'000).empty());
}

}  // namespace
}  // namespace tidemark::controller::promql
