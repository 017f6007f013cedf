#include "controller/cli/ships.h"

#include <capnp/message.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>

namespace tidemark::cli {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kNow = 1'700'000'000'000;  // 2023-11-14T22:13:20Z
constexpr double kGiB = 1024.0 * 1024 * 1024;
const double kUnknown = std::nan("");

class ShipsOutputTest : public ::testing::Test {
 protected:
  // Two ships: sampel-palnet up with every value, zod down with nothing but up=0.
  capnp::List<schema::ShipInfo>::Reader twoShips() {
    auto list = message->initRoot<schema::AdminResponse>().initShips(2);
    auto full = list[0];
    full.setHost("web1");
    full.setShip("sampel-palnet");
    full.setPier("/srv/piers/sampel-palnet");
    full.setUp(true);
    full.setUpSampleMs(kNow - 5'000);
    full.setStaleAfterMs(35'000);
    full.setPierBytes(45.25 * kGiB);
    full.setLoomBytes(2 * kGiB);
    full.setLoomUseRatio(0.34);
    full.setRssBytes(734.0 * 1024 * 1024);
    full.setCpuSeconds(12345.5);
    full.setCpuRatio(0.031);
    full.setLastPackMs(kNow - 3 * 86'400'000LL);
    auto bare = list[1];
    bare.setHost("web2");
    bare.setShip("zod");
    bare.setPier("/home/u/zod");
    bare.setUp(false);
    bare.setUpSampleMs(kNow - 3'600'000);
    bare.setStaleAfterMs(300'000);
    for (auto set :
         {&schema::ShipInfo::Builder::setPierBytes, &schema::ShipInfo::Builder::setLoomBytes,
          &schema::ShipInfo::Builder::setLoomUseRatio, &schema::ShipInfo::Builder::setRssBytes,
          &schema::ShipInfo::Builder::setCpuSeconds, &schema::ShipInfo::Builder::setCpuRatio}) {
      (bare.*set)(kUnknown);
    }
    return list.asReader();
  }

  // Held by pointer: the builder's destructor may throw, a fixture's may not.
  std::unique_ptr<capnp::MallocMessageBuilder> message =
      std::make_unique<capnp::MallocMessageBuilder>();
};

TEST_F(ShipsOutputTest, JsonCarriesRawValuesAndNullsForUnknowns) {
  auto json = shipsJson(twoShips());
  ASSERT_EQ(json["ships"].size(), 2u);
  const auto& up = json["ships"][0];
  EXPECT_EQ(up["host"], "web1");
  EXPECT_EQ(up["ship"], "sampel-palnet");
  EXPECT_EQ(up["pier"], "/srv/piers/sampel-palnet");
  EXPECT_EQ(up["status"], "up");
  EXPECT_EQ(up["last_seen"], "2023-11-14T22:13:15Z");
  EXPECT_EQ(up["stale_after_seconds"], 35.0);
  EXPECT_EQ(up["pier_bytes"], 45.25 * kGiB);
  EXPECT_EQ(up["loom_bytes"], 2 * kGiB);
  EXPECT_EQ(up["loom_use_ratio"], 0.34);
  EXPECT_EQ(up["rss_bytes"], 734.0 * 1024 * 1024);
  EXPECT_EQ(up["cpu_seconds"], 12345.5);
  EXPECT_EQ(up["cpu_ratio"], 0.031);
  EXPECT_EQ(up["last_pack"], "2023-11-11T22:13:20Z");

  const auto& down = json["ships"][1];
  EXPECT_EQ(down["status"], "down");
  for (const char* key : {"pier_bytes", "loom_bytes", "loom_use_ratio", "rss_bytes", "cpu_seconds",
                          "cpu_ratio", "last_pack"}) {
    EXPECT_TRUE(down[key].is_null()) << key << ": " << down[key];
  }
}

TEST_F(ShipsOutputTest, TableUsesHumanUnits) {
  EXPECT_EQ(shipsText(twoShips(), kNow),
            "HOST  SHIP           STATUS  PIER SIZE         LOOM USE      RSS   CPU  LAST PACK\n"
            "web1  sampel-palnet  up       45.2 GiB  34% of 2.00 GiB  734 MiB  3.1%  3d ago\n"
            "web2  zod            down            -                -        -     -  unknown\n");
}

TEST_F(ShipsOutputTest, EmptyListSaysSo) {
  auto list = message->initRoot<schema::AdminResponse>().initShips(0);
  EXPECT_THAT(shipsText(list.asReader(), kNow), HasSubstr("no ships"));
  EXPECT_EQ(shipsJson(list.asReader()), (nlohmann::json{{"ships", nlohmann::json::array()}}));
}

}  // namespace
}  // namespace tidemark::cli
