#include "controller/planner/plan.h"

#include <capnp/message.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/time/clock.h"
#include "controller/admin/admin_handler.h"
#include "controller/cli/plan.h"
#include "controller/history/rocksdb_history.h"
#include "tests/support/test_support.h"

namespace tidemark::controller::planner {
namespace {

using ::testing::HasSubstr;
using tidemark::testing::TempDir;

constexpr int64_t kNow = 1'800'000'000'000;
constexpr int64_t kHour = 3600 * 1000;
constexpr double kGB = 1e9;

// Two hosts over the last 10 days, hourly: web's root disk fills 10 GB a day (55%
// full now: 30 days to 85%); db's memory grows 0.1 GB a day (50% now: 192 days to 80%)
// and its disk is flat.
class PlanTest : public ::testing::Test {
 protected:
  PlanTest() : clock(kNow) {
    StoreOptions options;
    options.path = (dir.path() / "db").string();
    options.sync_writes = false;
    store = SampleStore::open(options);
    const Labels root = {{"device", "/dev/sda1"}, {"fstype", "ext4"}, {"mountpoint", "/"}};
    put("web", "node_filesystem_size_bytes", root, [](double) { return 1000 * kGB; });
    put("web", "node_filesystem_avail_bytes", root,
        [](double days_ago) { return 450 * kGB + 10 * kGB * days_ago; });
    put("db", "node_filesystem_size_bytes", root, [](double) { return 1000 * kGB; });
    put("db", "node_filesystem_avail_bytes", root, [](double) { return 900 * kGB; });
    put("db", "node_memory_MemTotal_bytes", {}, [](double) { return 64 * kGB; });
    put("db", "node_memory_MemAvailable_bytes", {},
        [](double days_ago) { return 32 * kGB + 0.1 * kGB * days_ago; });
    AdminContext context{*store, presence, clock, clock.monotonicMs(), "tcp://127.0.0.1:1"};
    context.plan_defaults.thresholds.disk = 0.85;
    handler = std::make_unique<AdminHandler>(context);
  }

  template <typename Value>
  void put(const std::string& host, const std::string& metric, const Labels& labels, Value value) {
    WriteSet writes = store->beginWrite();
    const uint64_t id = store->resolveSeries(writes, host, metric, labels);
    for (int64_t hours_ago = 240; hours_ago >= 0; --hours_ago) {
      store->appendSample(writes, id, kNow - hours_ago * kHour,
                          value(static_cast<double>(hours_ago) / 24));
    }
    ASSERT_EQ(store->commit(writes), "");
  }

  schema::PlanReply::Reader runPlan(const std::string& host) {
    capnp::MallocMessageBuilder request;
    auto plan = request.initRoot<schema::AdminRequest>().initPlan();
    plan.setHost(host);
    response_message = std::make_unique<capnp::MallocMessageBuilder>();
    auto response = response_message->initRoot<schema::AdminResponse>();
    handler->handle(request.getRoot<schema::AdminRequest>().asReader(), response);
    EXPECT_TRUE(response.isPlan()) << (response.isError() ? response.getError().cStr() : "");
    return response.asReader().getPlan();
  }

  TempDir dir;
  std::unique_ptr<SampleStore> store;
  AgentPresence presence;
  ManualClock clock;
  std::unique_ptr<AdminHandler> handler;
  std::unique_ptr<capnp::MallocMessageBuilder> response_message;
};

TEST_F(PlanTest, OrdersNearestExhaustionFirstWithFleetHeadroom) {
  PlanOptions options;
  options.now_ms = kNow;
  const Plan plan = makePlan(RocksdbHistory(*store), options);
  ASSERT_EQ(plan.forecasts.size(), 3u);
  EXPECT_EQ(plan.forecasts[0].host, "web");
  EXPECT_EQ(plan.forecasts[0].resource, Resource::kDisk);
  EXPECT_NEAR(*plan.forecasts[0].days_to_threshold, 30, 0.01);
  EXPECT_EQ(plan.forecasts[1].resource, Resource::kMemory);
  EXPECT_NEAR(*plan.forecasts[1].days_to_threshold, (0.8 * 64 - 32) / 0.1, 0.01);
  EXPECT_EQ(plan.forecasts[2].host, "db");
  EXPECT_EQ(plan.forecasts[2].days_to_threshold, std::nullopt);  // flat disk

  EXPECT_EQ(plan.fleet.hosts, 2u);
  ASSERT_EQ(plan.fleet.resources.size(), 2u);
  const FleetResource& disk = plan.fleet.resources[0];
  EXPECT_EQ(disk.resource, Resource::kDisk);
  EXPECT_DOUBLE_EQ(disk.capacity, 2000 * kGB);
  EXPECT_NEAR(disk.used, 550 * kGB + 100 * kGB, 1);
  // Room below 85%: 300 GB on web, 750 GB on db; only web grows, 10 GB a day.
  EXPECT_NEAR(*disk.months_of_headroom, 1050 / (10 * kDaysPerMonth), 1e-6);
}

TEST_F(PlanTest, AdminReplyRendersAsDocumentedJson) {
  const auto json = cli::planJson(runPlan(""));
  ASSERT_EQ(json["forecasts"].size(), 3u);
  const auto& disk = json["forecasts"][0];
  for (const char* key : {"host", "resource", "labels", "current", "capacity", "threshold",
                          "slope_per_day", "days_to_threshold", "fit"}) {
    EXPECT_TRUE(disk.contains(key)) << key;
  }
  EXPECT_EQ(disk["host"], "web");
  EXPECT_EQ(disk["resource"], "disk");
  EXPECT_EQ(disk["labels"]["mountpoint"], "/");
  EXPECT_DOUBLE_EQ(disk["current"].get<double>(), 550 * kGB);
  EXPECT_DOUBLE_EQ(disk["threshold"].get<double>(), 0.85);
  EXPECT_NEAR(disk["slope_per_day"].get<double>(), 10 * kGB, 1);
  EXPECT_TRUE(json["forecasts"][2]["days_to_threshold"].is_null());
  EXPECT_EQ(json["fleet"]["hosts"], 2);
  EXPECT_EQ(json["fleet"]["resources"][0]["resource"], "disk");
}

TEST_F(PlanTest, HostFilterAndTable) {
  const auto reply = runPlan("db");
  ASSERT_EQ(reply.getForecasts().size(), 2u);
  const std::string text = cli::planText(reply);
  EXPECT_THAT(text, HasSubstr("not growing"));
  EXPECT_THAT(text, HasSubstr("192 d")) << text;
  EXPECT_THAT(text, HasSubstr("fleet: 1 hosts"));
  EXPECT_EQ(text.find("web"), std::string::npos);
}

}  // namespace
}  // namespace tidemark::controller::planner
