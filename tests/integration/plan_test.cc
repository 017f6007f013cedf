// `tidemark plan` against a real controller, fed by `tidemark import openmetrics`:
// synthetic histories with known answers (a pier sawtooth with weekly packs, a
// filesystem filling linearly, a flat loom) come back as forecasts within 10% of the
// truth. The planner's finer accuracy tests are unit tests
// (tests/unit/controller/planner/forecast_accuracy_test.cc).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iomanip>
#include <sstream>
#include <string>

#include "tests/integration/capacity_history.h"
#include "tests/integration/fleet.h"

namespace tidemark::testing {
namespace {

const nlohmann::json* findForecast(const nlohmann::json& plan, const std::string& resource) {
  for (const auto& forecast : plan["forecasts"]) {
    if (forecast["resource"] == resource) return &forecast;
  }
  return nullptr;
}

TEST(PlanTest, ForecastsImportedHistoryWithKnownAnswers) {
  Fleet fleet;
  fleet.startController();
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  // 29 days at 5 min, on the hour, ending within the last hour: inside the planning window.
  const CapacityHistory history = capacityHistory(now, 29, /*with_cpu=*/false);
  const int64_t start = history.start;
  fleet.dir().write("history.om", history.text);
  auto imported = fleet.cliRaw({"import", "openmetrics", fleet.dir().str() + "/history.om"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err << fleet.controller().log();

  const nlohmann::json plan = fleet.cli({"plan", "--host", "web"});
  ASSERT_EQ(plan["forecasts"].size(), 3u) << plan.dump(2);
  EXPECT_EQ(plan["fleet"]["hosts"], 1);
  EXPECT_EQ(plan["fleet"]["ships"], 1);
  // Nearest exhaustion first: the pier (~40 days), the disk (~110 days), the flat loom.
  EXPECT_EQ(plan["forecasts"][0]["resource"], "pier");
  EXPECT_EQ(plan["forecasts"][2]["resource"], "loom");

  // Truth: walk the generating formulas in one-minute steps from the newest point.
  auto truthDays = [](const auto& used, double from, double target) -> double {
    for (double t = from; t < from + 3650; t += 1.0 / 1440) {
      if (used(t) >= target) return t - from;
    }
    return INFINITY;
  };
  const auto* pier_forecast = findForecast(plan, "pier");
  ASSERT_NE(pier_forecast, nullptr);
  auto endDay = [&](const nlohmann::json& forecast) {
    // The forecast counts from its newest point (an hourly bucket's start).
    std::tm tm{};
    std::istringstream in(forecast["window"]["until"].get<std::string>());
    in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
    return static_cast<double>(timegm(&tm) - start) / kDaySeconds;
  };
  const double pier_truth = truthDays(CapacityHistory::pier, endDay(*pier_forecast), 70 * kGB);
  const double pier_days = (*pier_forecast)["days_to_threshold"].get<double>();
  std::printf("pier sawtooth via tidemark plan: truth %.2f d, forecast %.2f d (%s)\n", pier_truth,
              pier_days, (*pier_forecast)["model"].get<std::string>().c_str());
  EXPECT_EQ((*pier_forecast)["model"], "sawtooth");
  EXPECT_NEAR(pier_days, pier_truth, 0.10 * pier_truth);

  const auto* disk_forecast = findForecast(plan, "disk");
  ASSERT_NE(disk_forecast, nullptr);
  const double disk_truth = truthDays(CapacityHistory::disk, endDay(*disk_forecast), 850 * kGB);
  const double disk_days = (*disk_forecast)["days_to_threshold"].get<double>();
  std::printf("disk via tidemark plan: truth %.2f d, forecast %.2f d\n", disk_truth, disk_days);
  EXPECT_NEAR(disk_days, disk_truth, 0.10 * disk_truth);
  EXPECT_NEAR((*disk_forecast)["slope_per_day"].get<double>(), 4 * kGB, 0.1 * kGB);

  const auto* loom_forecast = findForecast(plan, "loom");
  ASSERT_NE(loom_forecast, nullptr);
  EXPECT_TRUE((*loom_forecast)["days_to_threshold"].is_null()) << loom_forecast->dump(2);

  auto table = fleet.cliRaw({"plan"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, ::testing::HasSubstr("sawtooth"));
  EXPECT_THAT(table.out, ::testing::HasSubstr("not growing"));
}

}  // namespace
}  // namespace tidemark::testing
