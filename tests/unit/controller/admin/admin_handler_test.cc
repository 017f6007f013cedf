#include "controller/admin/admin_handler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <capnp/any.h>
#include <capnp/message.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "common/time/clock.h"
#include "controller/ingest/batch_ingester.h"
#include "tests/support/test_support.h"

namespace tidemark::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using tidemark::testing::TempDir;

constexpr int64_t kStart = 1'700'000'000'000;

class AdminHandlerTest : public ::testing::Test {
 protected:
  AdminHandlerTest() : clock(kStart) {
    StoreOptions options;
    options.path = (dir.path() / "db").string();
    options.sync_writes = false;
    // Fixture timestamps are from 1970: keep them despite the raw retention.
    options.raw_retention_ms = 0;
    store = SampleStore::open(options);
    handler = std::make_unique<AdminHandler>(
        AdminContext{*store, presence, clock, clock.monotonicMs(), "tcp://0.0.0.0:7070"});
  }

  // Two hosts: web (agent 1.0, 3 series) and db (agent 2.0, 1 series).
  void populate() {
    WriteSet writes = store->beginWrite();
    BatchIngester ingester(*store, IngestLimits{});
    wire::HelloData hello;
    hello.host_id = "web";
    hello.agent_version = "1.0";
    hello.epoch = 1;
    hello.interval_ms = 10'000;
    ingester.hello(writes, hello, kStart);
    hello.host_id = "db";
    hello.agent_version = "2.0";
    ingester.hello(writes, hello, kStart);

    wire::MetricBatchData web;
    web.host_id = "web";
    web.epoch = 1;
    web.sequence = 1;
    web.announcements = {{1, "node_disk_reads", {{"device", "sda"}}},
                         {2, "node_disk_reads", {{"device", "nvme0n1"}}},
                         {3, "node_load1", {}}};
    web.series_ids = {1, 1, 1, 2, 3};
    web.timestamps_ms = {kStart - 3000, kStart - 2000, kStart - 1000, kStart - 1000,
                         kStart - 1000};
    web.values = {1, 2, 3, 40, 0.5};
    EXPECT_EQ(ingester.ingest(writes, web, kStart).status, wire::AckStatus::kStored);

    wire::MetricBatchData db;
    db.host_id = "db";
    db.epoch = 1;
    db.sequence = 1;
    db.announcements = {{1, "node_disk_reads", {{"device", "sda"}}}};
    db.series_ids = {1};
    db.timestamps_ms = {kStart - 1000};
    db.values = {7};
    EXPECT_EQ(ingester.ingest(writes, db, kStart).status, wire::AckStatus::kStored);
    ASSERT_EQ(store->commit(writes), "");
    presence.seen("web", clock.monotonicMs(), 10'000);
    presence.seen("db", clock.monotonicMs(), 10'000);
  }

  schema::AdminResponse::Reader run(schema::AdminRequest::Reader request) {
    response_message = std::make_unique<capnp::MallocMessageBuilder>();
    auto response = response_message->initRoot<schema::AdminResponse>();
    handler->handle(request, response);
    return response.asReader();
  }

  schema::AdminResponse::Reader runStatus() {
    capnp::MallocMessageBuilder request;
    request.initRoot<schema::AdminRequest>().setStatus();
    return run(request.getRoot<schema::AdminRequest>().asReader());
  }

  schema::AdminResponse::Reader runHosts() {
    capnp::MallocMessageBuilder request;
    request.initRoot<schema::AdminRequest>().setHosts();
    return run(request.getRoot<schema::AdminRequest>().asReader());
  }

  struct Matcher {
    std::string name;
    schema::LabelMatcher::Op op;
    std::string value;
  };

  schema::AdminResponse::Reader runQuery(const std::string& metric, const std::string& host = "",
                                         std::vector<Matcher> matchers = {},
                                         int64_t since = kStart - 3'600'000,
                                         int64_t until = kStart, uint32_t limit = 0,
                                         int64_t step = 0,
                                         schema::QueryRequest::Aggregation aggregation =
                                             schema::QueryRequest::Aggregation::NONE) {
    capnp::MallocMessageBuilder request;
    auto query = request.initRoot<schema::AdminRequest>().initQuery();
    query.setMetric(metric);
    query.setHost(host);
    query.setSinceMs(since);
    query.setUntilMs(until);
    query.setMaxSamplesPerSeries(limit);
    query.setStepMs(step);
    query.setAggregation(aggregation);
    auto list = query.initMatchers(static_cast<unsigned>(matchers.size()));
    for (size_t i = 0; i < matchers.size(); ++i) {
      list[i].setName(matchers[i].name);
      list[i].setOp(matchers[i].op);
      list[i].setValue(matchers[i].value);
    }
    return run(request.getRoot<schema::AdminRequest>().asReader());
  }

  static std::vector<std::string> devices(capnp::List<schema::SeriesData>::Reader series) {
    std::vector<std::string> out;
    for (auto one : series) {
      std::string text = std::string(one.getHost().cStr()) + ":";
      for (auto label : one.getLabels()) text += label.getValue().cStr();
      out.push_back(text);
    }
    return out;
  }

  TempDir dir;
  std::unique_ptr<SampleStore> store;
  AgentPresence presence;
  ManualClock clock;
  std::unique_ptr<AdminHandler> handler;
  std::unique_ptr<capnp::MallocMessageBuilder> response_message;
};

TEST_F(AdminHandlerTest, StatusOfEmptyController) {
  auto response = runStatus();
  ASSERT_EQ(response.which(), schema::AdminResponse::STATUS);
  auto status = response.getStatus();
  EXPECT_STREQ(status.getVersion().cStr(), TIDEMARK_VERSION);
  EXPECT_EQ(status.getUptimeSeconds(), 0.0);
  EXPECT_EQ(status.getAgentsConnected(), 0u);
  EXPECT_EQ(status.getAgentsKnown(), 0u);
  EXPECT_EQ(status.getSeriesStored(), 0u);
  EXPECT_EQ(status.getSamplesStored(), 0u);
  EXPECT_EQ(std::string(status.getDataDir().cStr()), store->path());
  EXPECT_STREQ(status.getListen().cStr(), "tcp://0.0.0.0:7070");
}

TEST_F(AdminHandlerTest, StatusCountsAgentsSeriesAndSamples) {
  populate();
  clock.advanceMs(90'500);
  auto response = runStatus();
  ASSERT_EQ(response.which(), schema::AdminResponse::STATUS);
  auto status = response.getStatus();
  EXPECT_DOUBLE_EQ(status.getUptimeSeconds(), 90.5);
  EXPECT_EQ(status.getAgentsKnown(), 2u);
  EXPECT_EQ(status.getAgentsConnected(), 0u);  // 90.5 s of silence is past the 35 s window
  EXPECT_EQ(status.getSeriesStored(), 4u);
  EXPECT_EQ(status.getSamplesStored(), 6u);

  presence.seen("web", clock.monotonicMs(), 10'000);
  EXPECT_EQ(runStatus().getStatus().getAgentsConnected(), 1u);
}

TEST_F(AdminHandlerTest, HostsList) {
  populate();
  clock.advanceMs(20'000);
  presence.seen("web", clock.monotonicMs(), 10'000);
  clock.advanceMs(20'000);  // db last seen 40 s ago (> 35 s), web 20 s ago
  auto response = runHosts();
  ASSERT_EQ(response.which(), schema::AdminResponse::HOSTS);
  auto hosts = response.getHosts();
  ASSERT_EQ(hosts.size(), 2u);
  EXPECT_STREQ(hosts[0].getHost().cStr(), "db");
  EXPECT_FALSE(hosts[0].getConnected());
  EXPECT_EQ(hosts[0].getSeries(), 1u);
  EXPECT_EQ(hosts[0].getSamples(), 1u);
  EXPECT_STREQ(hosts[0].getAgentVersion().cStr(), "2.0");
  EXPECT_EQ(hosts[0].getLastSequence(), 1u);
  EXPECT_EQ(hosts[0].getLastSeenMs(), kStart);
  EXPECT_STREQ(hosts[1].getHost().cStr(), "web");
  EXPECT_TRUE(hosts[1].getConnected());
  EXPECT_EQ(hosts[1].getSeries(), 3u);
  EXPECT_EQ(hosts[1].getSamples(), 5u);
  EXPECT_STREQ(hosts[1].getAgentVersion().cStr(), "1.0");
}

TEST_F(AdminHandlerTest, HostsListEmpty) {
  auto response = runHosts();
  ASSERT_EQ(response.which(), schema::AdminResponse::HOSTS);
  EXPECT_EQ(response.getHosts().size(), 0u);
}

TEST_F(AdminHandlerTest, QueryWithStepAggregates) {
  populate();
  // web sda holds 1, 2, 3 at kStart - 3 s, - 2 s, - 1 s: one 1 h bucket (or two when
  // kStart - 3 s and kStart - 1 s straddle an hour boundary).
  auto response = runQuery("node_disk_reads", "web", {{"device", schema::LabelMatcher::Op::EQUAL, "sda"}},
                           kStart - 3'600'000, kStart, 0, 3'600'000, schema::QueryRequest::Aggregation::SUM);
  ASSERT_EQ(response.which(), schema::AdminResponse::QUERY) << response.getError().cStr();
  ASSERT_EQ(response.getQuery().size(), 1u);
  double total = 0;
  for (double value : response.getQuery()[0].getValues()) total += value;
  EXPECT_EQ(total, 6.0);
  for (int64_t ts : response.getQuery()[0].getTimestampsMs()) EXPECT_EQ(ts % 3'600'000, 0);
}

TEST_F(AdminHandlerTest, QueryReturnsSeries) {
  populate();
  auto response = runQuery("node_disk_reads");
  ASSERT_EQ(response.which(), schema::AdminResponse::QUERY) << response.getError().cStr();
  auto series = response.getQuery();
  EXPECT_THAT(devices(series), ElementsAre("db:sda", "web:nvme0n1", "web:sda"));
  auto web_sda = series[2];
  EXPECT_STREQ(web_sda.getMetric().cStr(), "node_disk_reads");
  ASSERT_EQ(web_sda.getLabels().size(), 1u);
  EXPECT_STREQ(web_sda.getLabels()[0].getName().cStr(), "device");
  ASSERT_EQ(web_sda.getTimestampsMs().size(), 3u);
  ASSERT_EQ(web_sda.getValues().size(), 3u);
  EXPECT_EQ(web_sda.getTimestampsMs()[0], kStart - 3000);
  EXPECT_EQ(web_sda.getTimestampsMs()[2], kStart - 1000);
  EXPECT_EQ(web_sda.getValues()[0], 1.0);
  EXPECT_EQ(web_sda.getValues()[2], 3.0);
}

TEST_F(AdminHandlerTest, QueryByHostMatchersRangeAndLimit) {
  populate();
  EXPECT_THAT(devices(runQuery("node_disk_reads", "web").getQuery()),
              ElementsAre("web:nvme0n1", "web:sda"));
  using Op = schema::LabelMatcher::Op;
  EXPECT_THAT(devices(runQuery("node_disk_reads", "", {{"device", Op::EQUAL, "sda"}}).getQuery()),
              ElementsAre("db:sda", "web:sda"));
  EXPECT_THAT(
      devices(runQuery("node_disk_reads", "", {{"device", Op::NOT_EQUAL, "sda"}}).getQuery()),
      ElementsAre("web:nvme0n1"));
  EXPECT_THAT(
      devices(runQuery("node_disk_reads", "", {{"device", Op::REGEX_MATCH, "nv.*"}}).getQuery()),
      ElementsAre("web:nvme0n1"));
  EXPECT_THAT(
      devices(runQuery("node_disk_reads", "", {{"device", Op::REGEX_NO_MATCH, "nv.*"}}).getQuery()),
      ElementsAre("db:sda", "web:sda"));
  // Range: only the newest sample of web:sda is at or after kStart - 1000.
  auto ranged = runQuery("node_disk_reads", "web", {{"device", Op::EQUAL, "sda"}}, kStart - 1000);
  ASSERT_EQ(ranged.getQuery().size(), 1u);
  EXPECT_EQ(ranged.getQuery()[0].getValues().size(), 1u);
  // Limit keeps the newest two.
  auto limited = runQuery("node_disk_reads", "web", {{"device", Op::EQUAL, "sda"}},
                          kStart - 3'600'000, kStart, 2);
  ASSERT_EQ(limited.getQuery().size(), 1u);
  auto values = limited.getQuery()[0].getValues();
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[0], 2.0);
  EXPECT_EQ(values[1], 3.0);
}

TEST_F(AdminHandlerTest, QueryWithNoMatchIsEmptyList) {
  populate();
  auto response = runQuery("node_missing");
  ASSERT_EQ(response.which(), schema::AdminResponse::QUERY);
  EXPECT_EQ(response.getQuery().size(), 0u);
}

TEST_F(AdminHandlerTest, BadMetricNameIsErrorResponse) {
  populate();
  for (const char* metric : {"bad-name", "", "1x"}) {
    auto response = runQuery(metric);
    ASSERT_EQ(response.which(), schema::AdminResponse::ERROR) << metric;
    EXPECT_THAT(response.getError().cStr(), HasSubstr("is not a metric name"));
  }
}

TEST_F(AdminHandlerTest, InvalidRegexIsErrorResponse) {
  populate();
  using Op = schema::LabelMatcher::Op;
  for (auto op : {Op::REGEX_MATCH, Op::REGEX_NO_MATCH}) {
    auto response = runQuery("node_disk_reads", "", {{"device", op, "sd[a-"}});
    ASSERT_EQ(response.which(), schema::AdminResponse::ERROR);
    EXPECT_THAT(response.getError().cStr(), HasSubstr("invalid regular expression"));
  }
}

TEST_F(AdminHandlerTest, UnknownMatcherOperatorIsErrorResponse) {
  populate();
  auto response =
      runQuery("node_disk_reads", "", {{"device", static_cast<schema::LabelMatcher::Op>(9), "sda"}});
  ASSERT_EQ(response.which(), schema::AdminResponse::ERROR);
  EXPECT_THAT(response.getError().cStr(), HasSubstr("unknown operator 9"));
}

TEST_F(AdminHandlerTest, UnknownRequestKindIsErrorResponse) {
  capnp::MallocMessageBuilder request;
  // An AdminRequest whose union discriminant (the first 16 bits) names no known member.
  auto any = request.getRoot<capnp::AnyPointer>().initAsAnyStruct(1, 1);
  any.getDataSection()[0] = 200;
  auto response = run(request.getRoot<schema::AdminRequest>().asReader());
  ASSERT_EQ(response.which(), schema::AdminResponse::ERROR);
  EXPECT_THAT(response.getError().cStr(), HasSubstr("unknown admin request 200"));
}

TEST_F(AdminHandlerTest, ShipsAreJoinedWithNaNForUnknownsAndFilteredByHost) {
  populate();  // web and db said hello with a 10 s interval
  {
    WriteSet writes = store->beginWrite();
    const Labels zod{{"pier", "/piers/zod"}, {"ship", "zod"}};
    auto add = [&](const std::string& host, const char* metric, double value) {
      store->appendSample(writes, store->resolveSeries(writes, host, metric, zod), kStart - 1000,
                          value);
    };
    add("web", "urbit_ship_up", 1);
    add("web", "urbit_ship_rss_bytes", 5e8);
    add("web", "urbit_ship_seconds_since_pack", 3600);
    add("db", "urbit_ship_up", 0);
    ASSERT_EQ(store->commit(writes), "");
  }
  auto ships = [&](const std::string& host) {
    capnp::MallocMessageBuilder request;
    request.initRoot<schema::AdminRequest>().initShips().setHost(host);
    return run(request.getRoot<schema::AdminRequest>().asReader());
  };
  auto all = ships("");
  ASSERT_TRUE(all.isShips()) << (all.isError() ? all.getError().cStr() : "");
  ASSERT_EQ(all.getShips().size(), 2u);
  auto db = all.getShips()[0];
  EXPECT_EQ(std::string(db.getHost().cStr()), "db");
  EXPECT_FALSE(db.getUp());
  EXPECT_TRUE(std::isnan(db.getRssBytes()));
  EXPECT_EQ(db.getLastPackMs(), 0);
  auto web = all.getShips()[1];
  EXPECT_EQ(std::string(web.getHost().cStr()), "web");
  EXPECT_EQ(std::string(web.getShip().cStr()), "zod");
  EXPECT_EQ(std::string(web.getPier().cStr()), "/piers/zod");
  EXPECT_TRUE(web.getUp());
  EXPECT_EQ(web.getUpSampleMs(), kStart - 1000);
  EXPECT_EQ(web.getStaleAfterMs(), 35'000);
  EXPECT_EQ(web.getRssBytes(), 5e8);
  EXPECT_TRUE(std::isnan(web.getPierBytes()));
  EXPECT_TRUE(std::isnan(web.getCpuRatio()));
  EXPECT_EQ(web.getLastPackMs(), kStart - 1000 - 3'600'000);

  auto only_web = ships("web");
  ASSERT_TRUE(only_web.isShips());
  ASSERT_EQ(only_web.getShips().size(), 1u);
  EXPECT_EQ(std::string(only_web.getShips()[0].getHost().cStr()), "web");
}

}  // namespace
}  // namespace tidemark::controller
