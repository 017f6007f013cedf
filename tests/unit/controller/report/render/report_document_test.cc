#include "controller/report/render/report_document.h"

#include <gtest/gtest.h>

#include "tests/unit/controller/report/render/report_fixture.h"

namespace tidemark::report {
namespace {

TEST(ReportDocumentTest, NearestExhaustionPutsSoonestFirstAndNeverLast) {
  const auto report = sampleReport();
  const Rows rows = nearestExhaustion(report, 10);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ((*rows[0])["resource"], "disk");
  EXPECT_EQ((*rows[1])["resource"], "cpu");
  EXPECT_EQ((*rows[2])["resource"], "memory");
  EXPECT_EQ(nearestExhaustion(report, 1).size(), 1u);
}

TEST(ReportDocumentTest, ShipsSortByGrowthAndByLoomUse) {
  const auto report = sampleReport();
  const Rows growth = shipsByPierGrowth(report, 10);
  ASSERT_EQ(growth.size(), 3u);
  EXPECT_EQ((*growth[0])["ship"], "nec");
  EXPECT_EQ((*growth[2])["ship"], "zod");  // no growth figure: last
  const Rows loom = shipsByLoomUse(report, 10);
  EXPECT_EQ((*loom[0])["ship"], "sampel-palnet");
  EXPECT_EQ((*loom[2])["ship"], "zod");
}

TEST(ReportDocumentTest, MissingSectionsAreEmptyNotErrors) {
  const nlohmann::json empty = nlohmann::json::object();
  EXPECT_TRUE(nearestExhaustion(empty, 5).empty());
  EXPECT_TRUE(shipsByLoomUse(empty, 5).empty());
  const nlohmann::json wrong = {{"forecasts", "not a list"}, {"ships", {1, 2}}};
  EXPECT_TRUE(nearestExhaustion(wrong, 5).empty());
  EXPECT_TRUE(shipsByPierGrowth(wrong, 5).empty());
}

TEST(ReportDocumentTest, UnitsComeFromTheUnitKeyElseTheResource) {
  EXPECT_EQ(unitOf({{"unit", "bytes"}, {"resource", "cpu"}}), ValueUnit::kBytes);
  EXPECT_EQ(unitOf({{"resource", "disk"}}), ValueUnit::kBytes);
  EXPECT_EQ(unitOf({{"resource", "loom"}}), ValueUnit::kBytes);
  EXPECT_EQ(unitOf({{"resource", "cpu"}}), ValueUnit::kRatio);
  EXPECT_EQ(unitOf({{"resource", "network"}}), ValueUnit::kPlain);
}

TEST(ReportDocumentTest, CellsFormatInTheirUnit) {
  const nlohmann::json row = {{"a", 1610612736.0}, {"b", 0.85}, {"c", nullptr}};
  EXPECT_EQ(cell(row, "a", ValueUnit::kBytes), "1.50 GiB");
  EXPECT_EQ(cell(row, "b", ValueUnit::kRatio), "85%");
  EXPECT_EQ(cell(row, "c"), "-");
  EXPECT_EQ(cell(row, "missing"), "-");
  EXPECT_EQ(daysCell({{"days_to_threshold", 4.25}}), "4.2 d");
  EXPECT_EQ(daysCell({{"days_to_threshold", 42.4}}), "42 d");
  EXPECT_EQ(daysCell({{"days_to_threshold", nullptr}}), "never");
  EXPECT_EQ(daysCell({{"days_to_threshold", 0}}), "now");
  EXPECT_EQ(labelsText({{"mountpoint", "/"}, {"device", "sda"}}), "device=sda mountpoint=/");
  EXPECT_EQ(timeCell({{"t", 0}}, "t"), "-");
  EXPECT_EQ(timeCell({{"t", 1'700'000'000'000}}, "t"), "2023-11-14T22:13:20Z");
}

TEST(ReportDocumentTest, ChartProjectsFromTheLastPointToPastTheThreshold) {
  const auto report = sampleReport();
  const ChartSpec chart = chartOf(report["forecasts"][1], report["generated_at_ms"]);
  ASSERT_EQ(chart.history.size(), 10u);
  ASSERT_EQ(chart.projection.size(), 2u);
  EXPECT_EQ(chart.projection[0].ms, chart.history.back().ms);
  EXPECT_DOUBLE_EQ(chart.projection[0].value, 145e9);
  // 5 days to threshold, drawn 10% further: 5.5 days at 5 GB a day.
  EXPECT_NEAR(chart.projection[1].value, 145e9 + 5.5 * 5e9, 1e3);
  ASSERT_TRUE(chart.threshold.has_value());
  EXPECT_DOUBLE_EQ(*chart.threshold, 170e9);
  EXPECT_EQ(chart.unit, ValueUnit::kBytes);
}

}  // namespace
}  // namespace tidemark::report

namespace tidemark::report {
namespace {

TEST(ReportDocumentTest, TheProjectionReachesNoFurtherThanTheHistoryBack) {
  nlohmann::json forecast = {{"current", 10.0}, {"slope_per_day", 1.0}, {"days_to_threshold", 500.0},
                             {"capacity", 100.0}, {"threshold", 0.85}};
  constexpr int64_t kDay = 86'400'000;
  forecast["history"] = {{0, 1.0}, {20 * kDay, 10.0}};
  const ChartSpec chart = chartOf(forecast, 20 * kDay);
  ASSERT_EQ(chart.projection.size(), 2u);
  EXPECT_EQ(chart.projection[1].ms, 40 * kDay);
  EXPECT_DOUBLE_EQ(chart.projection[1].value, 30.0);
  forecast["history"] = {{0, 1.0}, {kDay, 10.0}};  // a day of history: still a week ahead
  EXPECT_EQ(chartOf(forecast, kDay).projection[1].ms, 8 * kDay);
}

}  // namespace
}  // namespace tidemark::report
