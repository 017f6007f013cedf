#include "controller/report/render/report_assembly.h"

#include <gtest/gtest.h>

namespace tidemark::report {
namespace {

ReportParts sampleParts() {
  ReportParts parts;
  parts.plan = {
      {"since", "2023-10-15T22:13:20Z"},
      {"forecasts",
       {{{"host", "web-01"}, {"resource", "pier"}, {"labels", {{"ship", "zod"}, {"pier", "/srv/zod"}}},
         {"current", 5e9}, {"capacity", 50e9}, {"threshold", 0.85}, {"slope_per_day", 2e8},
         {"days_to_threshold", 187.5}, {"fit", 0.9}},
        {{"host", "web-01"}, {"resource", "disk"}, {"labels", {{"mountpoint", "/"}}},
         {"current", 40e9}, {"capacity", 100e9}, {"threshold", 0.85}, {"slope_per_day", 1e9},
         {"days_to_threshold", 45.0}, {"fit", 0.8}}}},
      {"fleet",
       {{"hosts", 1},
        {"ships", 2},
        {"resources",
         {{{"resource", "disk"}, {"used", 40e9}, {"capacity", 100e9}, {"free", 60e9},
           {"threshold", 0.85}, {"monthly_growth", 30e9}, {"months_of_headroom", 1.5}}}}}}};
  parts.triggers = {{"triggers",
                     {{{"rule", "ship_down"}, {"host", "web-01"}, {"state", "firing"}},
                      {{"rule", "disk_full"}, {"host", "web-01"}, {"state", "resolved"}}}}};
  parts.ships = {{"ships",
                  {{{"host", "web-01"}, {"ship", "zod"}, {"status", "up"}, {"pier_bytes", 5e9}},
                   {{"host", "web-01"}, {"ship", "nec"}, {"status", "down"}, {"pier_bytes", 1e9}}}}};
  return parts;
}

TEST(ReportAssemblyTest, FlattensTheFleetAndKeepsOnlyFiringTriggers) {
  const auto report = assembleReport(sampleParts(), 1'700'000'000'000, 1'697'408'000'000);
  EXPECT_EQ(report["generated_at"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(report["since"], "2023-10-15T22:13:20Z");
  EXPECT_EQ(report["fleet"]["hosts"], 1);
  EXPECT_EQ(report["fleet"]["ships"], 2);
  EXPECT_EQ(report["fleet"]["disk_free_bytes"], 60e9);
  EXPECT_EQ(report["fleet"]["disk_months_of_headroom"], 1.5);
  EXPECT_EQ(report["fleet"]["disk_growth_per_month_bytes"], 30e9);
  ASSERT_EQ(report["triggers"].size(), 1u);
  EXPECT_EQ(report["triggers"][0]["rule"], "ship_down");
  EXPECT_EQ(report["forecasts"].size(), 2u);
  EXPECT_TRUE(report["proposals"].is_array());
}

TEST(ReportAssemblyTest, ShipsGetTheirPierGrowthFromThePierForecast) {
  const auto report = assembleReport(sampleParts(), 1'700'000'000'000, 0);
  ASSERT_EQ(report["ships"].size(), 2u);
  EXPECT_EQ(report["ships"][0]["ship"], "zod");
  EXPECT_EQ(report["ships"][0]["pier_growth_bytes_per_day"], 2e8);
  EXPECT_TRUE(report["ships"][1]["pier_growth_bytes_per_day"].is_null());
}

TEST(ReportAssemblyTest, MissingOrMalformedPartsGiveAnEmptyReport) {
  ReportParts parts;
  parts.plan = "not an object";
  parts.triggers = nlohmann::json::array();
  const auto report = assembleReport(parts, 1'700'000'000'000, 0);
  EXPECT_TRUE(report["forecasts"].empty());
  EXPECT_TRUE(report["triggers"].empty());
  EXPECT_TRUE(report["ships"].empty());
  EXPECT_TRUE(report["fleet"].empty());
}

}  // namespace
}  // namespace tidemark::report
