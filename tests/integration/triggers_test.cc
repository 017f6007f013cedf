// Scaling triggers on a real controller: imported history of a filling disk makes
// the default disk_full rule fire, `tidemark triggers --json` shows it, and the
// state is still there after a controller restart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/integration/fleet.h"

namespace tidemark::testing {
namespace {

using namespace std::chrono_literals;

int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// 20 minutes of one filesystem of `host`, a sample a minute, ending now, `used` full.
std::string diskHistory(const std::string& host, double used) {
  const int64_t end = nowSeconds();
  const std::string labels = "{host=\"" + host +
                             "\",device=\"/dev/sda1\",fstype=\"ext4\",mountpoint=\"/srv\"}";
  std::string size = "# TYPE node_filesystem_size_bytes gauge\n";
  std::string avail = "# TYPE node_filesystem_avail_bytes gauge\n";
  for (int64_t t = end - 20 * 60; t <= end; t += 60) {
    size += "node_filesystem_size_bytes" + labels + " 1000000000000 " + std::to_string(t) + "\n";
    avail += "node_filesystem_avail_bytes" + labels + " " +
             std::to_string(static_cast<int64_t>(1e12 * (1 - used))) + " " + std::to_string(t) + "\n";
  }
  return size + avail + "# EOF\n";
}

nlohmann::json triggersOf(Fleet& fleet, const std::string& host) {
  nlohmann::json found = nlohmann::json::array();
  const nlohmann::json reply = fleet.cli({"triggers"});  // outlives the loop
  for (const auto& trigger : reply["triggers"]) {
    if (trigger["host"] == host) found.push_back(trigger);
  }
  return found;
}

TEST(TriggersTest, ImportedFullDiskFiresAndSurvivesARestart) {
  Fleet fleet;
  fleet.startController({"--trigger-interval", "1s"});
  fleet.dir().write("full.om", diskHistory("web1", 0.93));
  fleet.dir().write("fine.om", diskHistory("web2", 0.40));
  for (const char* file : {"full.om", "fine.om"}) {
    auto result = fleet.cliRaw({"import", "openmetrics", fleet.dir().str() + "/" + file});
    ASSERT_EQ(result.exit_code, 0) << result.err << fleet.controller().log();
  }

  nlohmann::json fired;
  ASSERT_TRUE(eventually([&] {
    fired = triggersOf(fleet, "web1");
    return !fired.empty();
  }, 30s)) << fleet.controller().log();
  ASSERT_EQ(fired.size(), 1u) << fired.dump(2);
  const auto& disk = fired[0];
  EXPECT_EQ(disk["rule"], "disk_full");
  EXPECT_EQ(disk["state"], "firing");
  EXPECT_EQ(disk["action"], "scale_up");
  EXPECT_EQ(disk["severity"], "warning");
  EXPECT_EQ(disk["resource"], "disk");
  EXPECT_EQ(disk["condition"], "> 85%");
  EXPECT_EQ(disk["labels"]["mountpoint"], "/srv");
  EXPECT_NEAR(disk["value"].get<double>(), 0.93, 1e-9);
  EXPECT_TRUE(disk["since"].is_string());
  EXPECT_TRUE(triggersOf(fleet, "web2").empty()) << "40% full fires nothing";

  const std::string since = disk["since"];
  ASSERT_EQ(fleet.stopController(), 0);
  fleet.startController();
  auto after = triggersOf(fleet, "web1");
  ASSERT_EQ(after.size(), 1u) << fleet.controller().log();
  EXPECT_EQ(after[0]["state"], "firing");
  EXPECT_EQ(after[0]["since"], since);

  auto table = fleet.cliRaw({"triggers"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, ::testing::HasSubstr("disk_full"));
}

}  // namespace
}  // namespace tidemark::testing
