// `tidemark ships` against a real controller fed with ship series through
// `tidemark import openmetrics`: one row per ship, joined, sorted, up or down.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "common/config/duration.h"
#include "tests/integration/fleet.h"

namespace tidemark::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string shipLine(const std::string& metric, const std::string& host, const std::string& ship,
                     const std::string& value, int64_t at_seconds) {
  return metric + "{host=\"" + host + "\",pier=\"/srv/piers/" + ship + "\",ship=\"" + ship +
         "\"} " + value + " " + std::to_string(at_seconds) + "\n";
}

class ShipsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fleet.startController();
    std::string text;
    // web1/sampel-palnet: up now, every metric, packed 3 days before its last sample.
    for (int64_t at : {now - 20, now - 10}) {
      text += shipLine("urbit_ship_up", "web1", "sampel-palnet", "1", at);
      text += shipLine("urbit_ship_pier_bytes", "web1", "sampel-palnet", "48586817536",
                       at);  // 45.25 GiB
      text += shipLine("urbit_ship_loom_bytes", "web1", "sampel-palnet", "2147483648", at);
      text += shipLine("urbit_ship_loom_use_ratio", "web1", "sampel-palnet", "0.34", at);
      text +=
          shipLine("urbit_ship_rss_bytes", "web1", "sampel-palnet", "769654784", at);  // 734 MiB
      text += shipLine("urbit_ship_seconds_since_pack", "web1", "sampel-palnet",
                       std::to_string(259'200 + (at - (now - 10))), at);
    }
    text += shipLine("urbit_ship_cpu_seconds_total", "web1", "sampel-palnet", "100", now - 20);
    text += shipLine("urbit_ship_cpu_seconds_total", "web1", "sampel-palnet", "101.5", now - 10);
    // web1/zod: its pier is there, its process is not.
    text += shipLine("urbit_ship_up", "web1", "zod", "0", now - 10);
    text += shipLine("urbit_ship_pier_bytes", "web1", "zod", "1048576", now - 10);
    // web2/nec: said up an hour ago and nothing since (imported: a 5 minute bound).
    text += shipLine("urbit_ship_up", "web2", "nec", "1", now - 3600);
    // A series without a ship label is not a ship.
    text += "urbit_ship_up{host=\"web2\",pier=\"/x\"} 1 " + std::to_string(now - 10) + "\n";
    text += "# EOF\n";
    fleet.dir().write("ships.om", text);
    auto result = fleet.cliRaw({"import", "openmetrics", fleet.dir().str() + "/ships.om"});
    ASSERT_EQ(result.exit_code, 0) << result.err << fleet.controller().log();
  }

  Fleet fleet;
  const int64_t now = nowSeconds();
};

TEST_F(ShipsTest, JsonHasOneRowPerShipSortedWithStatusAndLastPack) {
  auto ships = fleet.cli({"ships"})["ships"];
  ASSERT_EQ(ships.size(), 3u) << ships.dump(2);

  const auto& sampel = ships[0];
  EXPECT_EQ(sampel["host"], "web1");
  EXPECT_EQ(sampel["ship"], "sampel-palnet");
  EXPECT_EQ(sampel["pier"], "/srv/piers/sampel-palnet");
  EXPECT_EQ(sampel["status"], "up");
  EXPECT_EQ(sampel["pier_bytes"].get<double>(), 48586817536.0);
  EXPECT_EQ(sampel["loom_bytes"].get<double>(), 2147483648.0);
  EXPECT_EQ(sampel["loom_use_ratio"].get<double>(), 0.34);
  EXPECT_EQ(sampel["rss_bytes"].get<double>(), 769654784.0);
  EXPECT_EQ(sampel["cpu_seconds"].get<double>(), 101.5);
  EXPECT_EQ(sampel["cpu_ratio"].get<double>(), 0.15);
  EXPECT_EQ(sampel["last_pack"], formatTimeMs((now - 10 - 259'200) * 1000));

  EXPECT_EQ(ships[1]["ship"], "zod");
  EXPECT_EQ(ships[1]["status"], "down");
  EXPECT_EQ(ships[1]["pier_bytes"].get<double>(), 1048576.0);
  EXPECT_TRUE(ships[1]["rss_bytes"].is_null());
  EXPECT_TRUE(ships[1]["last_pack"].is_null());

  EXPECT_EQ(ships[2]["host"], "web2");
  EXPECT_EQ(ships[2]["ship"], "nec");
  EXPECT_EQ(ships[2]["status"], "down");  // stale
  EXPECT_EQ(ships[2]["stale_after_seconds"].get<double>(), 300.0);
}

TEST_F(ShipsTest, HostFilterKeepsOnlyThatHost) {
  auto ships = fleet.cli({"ships", "--host", "web2"})["ships"];
  ASSERT_EQ(ships.size(), 1u) << ships.dump(2);
  EXPECT_EQ(ships[0]["ship"], "nec");
  EXPECT_TRUE(fleet.cli({"ships", "--host", "nowhere"})["ships"].empty());
}

TEST_F(ShipsTest, TableShowsHumanUnits) {
  auto result = fleet.cliRaw({"ships"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out,
              ContainsRegex("^HOST +SHIP +STATUS +PIER SIZE +LOOM USE +RSS +CPU +LAST PACK\n"));
  EXPECT_THAT(result.out,
              ContainsRegex(
                  "\nweb1 +sampel-palnet +up +45.2 GiB +34% of 2.00 GiB +734 MiB +15% +3d ago\n"));
  EXPECT_THAT(result.out, ContainsRegex("\nweb1 +zod +down +1.00 MiB +- +- +- +unknown\n"));
  EXPECT_THAT(result.out, ContainsRegex("\nweb2 +nec +down +- +- +- +- +unknown\n$"));
}

}  // namespace
}  // namespace tidemark::testing
