#include "common/metrics/series.h"

#include <gtest/gtest.h>

namespace tidemark {
namespace {

TEST(SeriesTest, FormatsLabelsSortedAndEscaped) {
  Labels labels{{"mode", "idle"}, {"cpu", "0"}, {"path", "a\"b\\c"}};
  sortLabels(labels);
  EXPECT_EQ(formatSeries("node_cpu_seconds_total", labels),
            R"(node_cpu_seconds_total{cpu="0",mode="idle",path="a\"b\\c"})");
  EXPECT_EQ(formatSeries("up", {}), "up");
}

TEST(SeriesTest, ValidatesMetricAndLabelNames) {
  EXPECT_TRUE(isValidMetricName("node_load1"));
  EXPECT_TRUE(isValidMetricName("ns:rule_1"));
  EXPECT_FALSE(isValidMetricName("1abc"));
  EXPECT_FALSE(isValidMetricName(""));
  EXPECT_FALSE(isValidMetricName("a-b"));
  EXPECT_TRUE(isValidLabelName("device"));
  EXPECT_FALSE(isValidLabelName("ns:x"));
  EXPECT_FALSE(isValidLabelName("9"));
}

}  // namespace
}  // namespace tidemark
