#include "controller/history/promql_json.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tidemark::controller::promql {
namespace {

TEST(PromqlJsonTest, MatrixSplitsHostNameAndLabels) {
  const auto series = parseQueryAnswer(R"({"status":"success","data":{"resultType":"matrix",
    "result":[{"metric":{"__name__":"urbit_ship_pier_bytes","ship":"zod","host":"web",
                         "pier":"/srv/zod"},
               "values":[[1700000000.123,"20000000000"],[1700000300,"2.5e10"]]}]}})");
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].host, "web");
  EXPECT_EQ(series[0].metric, "urbit_ship_pier_bytes");
  EXPECT_EQ(series[0].labels, (Labels{{"pier", "/srv/zod"}, {"ship", "zod"}}));  // sorted
  EXPECT_EQ(series[0].timestamps_ms, (std::vector<int64_t>{1'700'000'000'123, 1'700'000'300'000}));
  EXPECT_EQ(series[0].values, (std::vector<double>{2e10, 2.5e10}));
}

TEST(PromqlJsonTest, VectorGivesOnePointAndFunctionsDropTheName) {
  const auto series = parseQueryAnswer(R"({"status":"success","data":{"resultType":"vector",
    "result":[{"metric":{"host":"a","device":"eth0"},"value":[1700000000.5,"NaN"]},
              {"metric":{"host":"b"},"value":[1700000000.5,"+Inf"]}]}})");
  ASSERT_EQ(series.size(), 2u);
  EXPECT_TRUE(series[0].metric.empty());
  EXPECT_EQ(series[0].timestamps_ms, (std::vector<int64_t>{1'700'000'000'500}));
  EXPECT_TRUE(std::isnan(series[0].values[0]));
  EXPECT_EQ(series[1].values[0], INFINITY);
  EXPECT_TRUE(series[1].labels.empty());
}

TEST(PromqlJsonTest, EmptyResultIsNoSeries) {
  EXPECT_TRUE(parseQueryAnswer(R"({"status":"success","data":{"resultType":"matrix","result":[]}})")
                  .empty());
}

TEST(PromqlJsonTest, ApiErrorsSayTypeAndMessage) {
  const std::string body =
      R"({"status":"error","errorType":"execution","error":"query processing would load too many samples into memory"})";
  try {
    parseQueryAnswer(body);
    FAIL() << "no error";
  } catch (const ApiError& e) {
    EXPECT_STREQ(e.what(), "execution: query processing would load too many samples into memory");
  }
  EXPECT_EQ(apiErrorOf(body),
            "execution: query processing would load too many samples into memory");
  EXPECT_EQ(apiErrorOf("<html>502 Bad Gateway</html>"), "");
}

TEST(PromqlJsonTest, MalformedAnswersAreErrorsNotCrashes) {
  EXPECT_THROW(parseQueryAnswer("<html>"), ApiError);
  EXPECT_THROW(parseQueryAnswer(R"({"status":"success"})"), ApiError);
  EXPECT_THROW(parseQueryAnswer(R"({"status":"success","data":{"resultType":"scalar",
    "result":[1700000000,"1"]}})"),
               ApiError);
  EXPECT_THROW(parseQueryAnswer(R"({"status":"success","data":{"resultType":"vector",
    "result":[{"metric":{"host":"a"},"value":[1700000000,"twelve"]}]}})"),
               ApiError);
  EXPECT_THROW(parseQueryAnswer(R"({"status":"success","data":{"resultType":"matrix",
    "result":[{"metric":{"host":"a"},"values":[[1700000000]]}]}})"),
               ApiError);
}

TEST(PromqlJsonTest, SeriesListGivesLabelSets) {
  const auto series = parseSeriesAnswer(R"({"status":"success","data":[
    {"__name__":"urbit_ship_up","host":"web","ship":"zod","pier":"/srv/zod"},
    {"__name__":"urbit_ship_up","host":"db","ship":"bus","pier":"/srv/bus"}]})");
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[1].host, "db");
  EXPECT_EQ(series[1].labels, (Labels{{"pier", "/srv/bus"}, {"ship", "bus"}}));
  EXPECT_TRUE(series[1].values.empty());
}

}  // namespace
}  // namespace tidemark::controller::promql
