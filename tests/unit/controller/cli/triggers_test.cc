#include "controller/cli/triggers.h"

#include <capnp/message.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

namespace tidemark::cli {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kNow = 1'700'000'000'000;  // 2023-11-14T22:13:20Z

class TriggersOutputTest : public ::testing::Test {
 protected:
  // A firing disk trigger on one filesystem and a resolved ship-count trigger.
  capnp::List<schema::TriggerInfo>::Reader twoTriggers() {
    auto list = message->initRoot<schema::AdminResponse>().initTriggers(2);
    auto disk = list[0];
    disk.setRule("disk_full");
    disk.setHost("web1");
    auto labels = disk.initLabels(2);
    labels[0].setName("device");
    labels[0].setValue("/dev/sda1");
    labels[1].setName("mountpoint");
    labels[1].setValue("/");
    disk.setResource("disk");
    disk.setCondition("> 85%");
    disk.setAction("scale_up");
    disk.setSeverity("warning");
    disk.setState("firing");
    disk.setSinceMs(kNow - 2 * 3'600'000);
    disk.setValue(0.91);
    disk.setValueMs(kNow - 30'000);
    disk.setRatio(true);
    auto ships = list[1];
    ships.setRule("ships_per_host");
    ships.setHost("web2");
    ships.setResource("ships");
    ships.setCondition(">= 10");
    ships.setDurationMs(600'000);
    ships.setAction("scale_out");
    ships.setSeverity("info");
    ships.setState("resolved");
    ships.setSinceMs(kNow - 86'400'000);
    ships.setResolvedAtMs(kNow - 3 * 3'600'000);
    ships.setValue(8);
    ships.setValueMs(kNow - 60'000);
    return list.asReader();
  }

  std::unique_ptr<capnp::MallocMessageBuilder> message =
      std::make_unique<capnp::MallocMessageBuilder>();
};

TEST_F(TriggersOutputTest, JsonHasTheDocumentedFields) {
  auto json = triggersJson(twoTriggers());
  ASSERT_EQ(json["triggers"].size(), 2u);
  const auto& disk = json["triggers"][0];
  EXPECT_EQ(disk["rule"], "disk_full");
  EXPECT_EQ(disk["host"], "web1");
  EXPECT_EQ(disk["labels"], (nlohmann::json{{"device", "/dev/sda1"}, {"mountpoint", "/"}}));
  EXPECT_EQ(disk["resource"], "disk");
  EXPECT_EQ(disk["condition"], "> 85%");
  EXPECT_EQ(disk["action"], "scale_up");
  EXPECT_EQ(disk["severity"], "warning");
  EXPECT_EQ(disk["state"], "firing");
  EXPECT_EQ(disk["since"], "2023-11-14T20:13:20Z");
  EXPECT_TRUE(disk["resolved_at"].is_null());
  EXPECT_EQ(disk["value"], 0.91);
  EXPECT_EQ(disk["value_time"], "2023-11-14T22:12:50Z");
  EXPECT_FALSE(disk.contains("metric"));

  const auto& ships = json["triggers"][1];
  EXPECT_EQ(ships["labels"], nlohmann::json::object());
  EXPECT_EQ(ships["state"], "resolved");
  EXPECT_EQ(ships["resolved_at"], "2023-11-14T19:13:20Z");
  EXPECT_EQ(ships["duration_seconds"], 600);
}

TEST_F(TriggersOutputTest, TableShowsPercentagesForRatiosAndWhenItResolved) {
  EXPECT_EQ(triggersText(twoTriggers(), kNow),
            "STATE     SEVERITY  RULE            HOST  SUBJECT                        VALUE  "
            "CONDITION      ACTION     SINCE\n"
            "firing    warning   disk_full       web1  device=/dev/sda1 mountpoint=/    91%  "
            "> 85%          scale_up   2h ago\n"
            "resolved  info      ships_per_host  web2  -                                  8  "
            ">= 10 for 10m  scale_out  resolved 3h ago\n");
}

TEST_F(TriggersOutputTest, EmptyListSaysSo) {
  auto list = message->initRoot<schema::AdminResponse>().initTriggers(0);
  EXPECT_THAT(triggersText(list.asReader(), kNow), HasSubstr("no triggers"));
  EXPECT_EQ(triggersJson(list.asReader()), (nlohmann::json{{"triggers", nlohmann::json::array()}}));
}

}  // namespace
}  // namespace tidemark::cli
