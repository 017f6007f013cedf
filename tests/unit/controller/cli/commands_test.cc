#include "controller/cli/commands.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <capnp/message.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace tidemark::cli {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kNow = 1'700'000'000'000;  // 2023-11-14T22:13:20Z

// Builds a request from `arguments`; the message builder must outlive the reader.
class QueryRequestTest : public ::testing::Test {
 protected:
  schema::QueryRequest::Reader build(const QueryArguments& arguments) {
    auto request = message.initRoot<schema::QueryRequest>();
    buildQueryRequest(arguments, kNow, request);
    return request.asReader();
  }

  std::string errorOf(const QueryArguments& arguments) {
    try {
      build(arguments);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "";
  }

  // Held by pointer: the builder's destructor may throw, a fixture's may not.
  std::unique_ptr<capnp::MallocMessageBuilder> holder =
      std::make_unique<capnp::MallocMessageBuilder>();
  capnp::MallocMessageBuilder& message = *holder;
};

TEST_F(QueryRequestTest, DefaultsAreTheLastHour) {
  QueryArguments arguments;
  arguments.metric = "node_load1";
  auto request = build(arguments);
  EXPECT_STREQ(request.getMetric().cStr(), "node_load1");
  EXPECT_STREQ(request.getHost().cStr(), "");
  EXPECT_EQ(request.getSinceMs(), kNow - 3'600'000);
  EXPECT_EQ(request.getUntilMs(), kNow);
  EXPECT_EQ(request.getMaxSamplesPerSeries(), 0u);
  EXPECT_EQ(request.getMatchers().size(), 0u);
}

TEST_F(QueryRequestTest, StepAggregationAndLast) {
  QueryArguments arguments;
  arguments.metric = "node_load1";
  auto plain = build(arguments);
  EXPECT_EQ(plain.getStepMs(), 0);
  EXPECT_EQ(plain.getAggregation(), schema::QueryRequest::Aggregation::NONE);
  EXPECT_FALSE(plain.getLastOnly());

  arguments.step = "5m";
  arguments.aggregation = "max";
  arguments.last = true;
  auto request = build(arguments);
  EXPECT_EQ(request.getStepMs(), 300'000);
  EXPECT_EQ(request.getAggregation(), schema::QueryRequest::Aggregation::MAX);
  EXPECT_TRUE(request.getLastOnly());
}

TEST_F(QueryRequestTest, BadStepOrAggregationIsAClearError) {
  QueryArguments arguments;
  arguments.metric = "node_load1";
  arguments.step = "fast";
  EXPECT_THAT(errorOf(arguments), HasSubstr("--step fast"));
  arguments.step = "1m";
  arguments.aggregation = "median";
  EXPECT_THAT(errorOf(arguments), HasSubstr("--agg median: expected min, max, avg, sum, last or count"));
  arguments.step = "";
  arguments.aggregation = "max";
  EXPECT_THAT(errorOf(arguments), HasSubstr("--agg needs --step"));
}

TEST_F(QueryRequestTest, FillsHostTimesAndLimit) {
  QueryArguments arguments;
  arguments.metric = "node_load1";
  arguments.host = "web-01";
  arguments.since = "2023-11-14T00:00:00Z";
  arguments.until = "1699990000";
  arguments.limit = 5;
  auto request = build(arguments);
  EXPECT_STREQ(request.getHost().cStr(), "web-01");
  EXPECT_EQ(request.getSinceMs(), 1'699'920'000'000);
  EXPECT_EQ(request.getUntilMs(), 1'699'990'000'000);
  EXPECT_EQ(request.getMaxSamplesPerSeries(), 5u);
}

TEST_F(QueryRequestTest, ParsesEachMatcherOperator) {
  QueryArguments arguments;
  arguments.metric = "node_cpu_seconds_total";
  arguments.labels = {"mode=idle", "cpu!=0", "device=~sd.*", "x!~y", "empty="};
  auto matchers = build(arguments).getMatchers();
  ASSERT_EQ(matchers.size(), 5u);
  using Op = schema::LabelMatcher::Op;
  struct Want {
    const char* name;
    Op op;
    const char* value;
  } want[] = {{"mode", Op::EQUAL, "idle"},
              {"cpu", Op::NOT_EQUAL, "0"},
              {"device", Op::REGEX_MATCH, "sd.*"},
              {"x", Op::REGEX_NO_MATCH, "y"},
              {"empty", Op::EQUAL, ""}};
  for (unsigned i = 0; i < 5; ++i) {
    EXPECT_STREQ(matchers[i].getName().cStr(), want[i].name) << i;
    EXPECT_EQ(matchers[i].getOp(), want[i].op) << i;
    EXPECT_STREQ(matchers[i].getValue().cStr(), want[i].value) << i;
  }
}

TEST_F(QueryRequestTest, OperatorIsTheFirstOneInTheText) {
  // Values may contain operator characters; the operator follows the label name.
  QueryArguments arguments;
  arguments.metric = "m";
  arguments.labels = {"path=a!~b", "expr=x=~y", "re=~a!=b", "ne!=a=b", "nre!~=~"};
  auto matchers = build(arguments).getMatchers();
  ASSERT_EQ(matchers.size(), 5u);
  using Op = schema::LabelMatcher::Op;
  EXPECT_STREQ(matchers[0].getName().cStr(), "path");
  EXPECT_EQ(matchers[0].getOp(), Op::EQUAL);
  EXPECT_STREQ(matchers[0].getValue().cStr(), "a!~b");
  EXPECT_STREQ(matchers[1].getName().cStr(), "expr");
  EXPECT_EQ(matchers[1].getOp(), Op::EQUAL);
  EXPECT_STREQ(matchers[1].getValue().cStr(), "x=~y");
  EXPECT_STREQ(matchers[2].getName().cStr(), "re");
  EXPECT_EQ(matchers[2].getOp(), Op::REGEX_MATCH);
  EXPECT_STREQ(matchers[2].getValue().cStr(), "a!=b");
  EXPECT_STREQ(matchers[3].getName().cStr(), "ne");
  EXPECT_EQ(matchers[3].getOp(), Op::NOT_EQUAL);
  EXPECT_STREQ(matchers[3].getValue().cStr(), "a=b");
  EXPECT_STREQ(matchers[4].getName().cStr(), "nre");
  EXPECT_EQ(matchers[4].getOp(), Op::REGEX_NO_MATCH);
  EXPECT_STREQ(matchers[4].getValue().cStr(), "=~");
}

TEST_F(QueryRequestTest, BadMatcherMessages) {
  QueryArguments arguments;
  arguments.metric = "m";
  arguments.labels = {"novalue"};
  EXPECT_THAT(errorOf(arguments), AllOf(HasSubstr("--label novalue"),
                                        HasSubstr("expected NAME=VALUE")));
  arguments.labels = {"=x"};
  EXPECT_THAT(errorOf(arguments), HasSubstr("\"\" is not a label name"));
  arguments.labels = {"bad-name=x"};
  EXPECT_THAT(errorOf(arguments),
              AllOf(HasSubstr("--label bad-name=x"), HasSubstr("\"bad-name\" is not a label name")));
  arguments.labels = {"mode=idle", "1x!=y"};
  EXPECT_THAT(errorOf(arguments), HasSubstr("\"1x\" is not a label name"));
}

TEST_F(QueryRequestTest, BadMetricMessage) {
  QueryArguments arguments;
  arguments.metric = "not-a-metric";
  EXPECT_THAT(errorOf(arguments), HasSubstr("\"not-a-metric\" is not a metric name"));
  arguments.metric = "";
  EXPECT_THAT(errorOf(arguments), HasSubstr("is not a metric name"));
}

TEST_F(QueryRequestTest, BadTimeMessages) {
  QueryArguments arguments;
  arguments.metric = "m";
  arguments.since = "yesterday";
  EXPECT_THAT(errorOf(arguments), AllOf(HasSubstr("--since yesterday"), HasSubstr("expected")));
  arguments.since = "1h";
  arguments.until = "later";
  EXPECT_THAT(errorOf(arguments), AllOf(HasSubstr("--until later"), HasSubstr("expected")));
  arguments.since = "5m";
  arguments.until = "1h";
  EXPECT_THAT(errorOf(arguments), HasSubstr("--until is before --since"));
  arguments.since = "now";
  arguments.until = "now";
  EXPECT_EQ(errorOf(arguments), "");
}

// Replies as the controller would build them.
class RenderTest : public ::testing::Test {
 protected:
  capnp::List<schema::HostInfo>::Reader hosts() {
    auto list = message.initRoot<schema::AdminResponse>().initHosts(2);
    list[0].setHost("db-01");
    list[0].setConnected(false);
    list[0].setLastSeenMs(0);
    list[0].setSeries(0);
    list[0].setSamples(0);
    list[0].setAgentVersion("");
    list[1].setHost("web-01");
    list[1].setConnected(true);
    list[1].setLastSeenMs(kNow - 12'000);
    list[1].setSeries(1234);
    list[1].setSamples(1234567);
    list[1].setAgentVersion("0.1.0");
    list[1].setLastSequence(42);
    return list.asReader();
  }

  capnp::List<schema::SeriesData>::Reader series() {
    auto list = message.initRoot<schema::AdminResponse>().initQuery(2);
    list[0].setHost("web-01");
    list[0].setMetric("node_cpu_seconds_total");
    auto labels = list[0].initLabels(2);
    labels[0].setName("cpu");
    labels[0].setValue("0");
    labels[1].setName("mode");
    labels[1].setValue("idle");
    auto ts = list[0].initTimestampsMs(2);
    ts.set(0, kNow - 10'000);
    ts.set(1, kNow);
    auto values = list[0].initValues(2);
    values.set(0, 1234.5);
    values.set(1, 1240);
    list[1].setHost("db-01");
    list[1].setMetric("node_load1");
    list[1].initLabels(0);
    list[1].initTimestampsMs(1).set(0, kNow);
    list[1].initValues(1).set(0, 0.25);
    return list.asReader();
  }

  schema::StatusReply::Reader status() {
    auto reply = message.initRoot<schema::AdminResponse>().initStatus();
    reply.setVersion("0.1.0");
    reply.setUptimeSeconds(5415.7);
    reply.setAgentsConnected(3);
    reply.setAgentsKnown(4);
    reply.setSeriesStored(12345);
    reply.setSamplesStored(9876543210ull);
    reply.setDataDir("/var/lib/tidemark");
    reply.setListen("tcp://0.0.0.0:7070");
    return reply.asReader();
  }

  // Held by pointer: the builder's destructor may throw, a fixture's may not.
  std::unique_ptr<capnp::MallocMessageBuilder> holder =
      std::make_unique<capnp::MallocMessageBuilder>();
  capnp::MallocMessageBuilder& message = *holder;
};

TEST_F(RenderTest, HostsText) {
  EXPECT_EQ(hostsText(hosts(), kNow),
            "HOST    CONNECTED  LAST SEEN  SERIES    SAMPLES  AGENT\n"
            "db-01   no         never           0          0\n"
            "web-01  yes        12s ago     1,234  1,234,567  0.1.0\n");
}

TEST_F(RenderTest, HostsTextEmpty) {
  auto empty = message.initRoot<schema::AdminResponse>().initHosts(0).asReader();
  EXPECT_EQ(hostsText(empty, kNow), "no hosts have reported yet\n");
}

TEST_F(RenderTest, HostsJson) {
  auto json = hostsJson(hosts());
  ASSERT_TRUE(json.contains("hosts"));
  ASSERT_TRUE(json["hosts"].is_array());
  ASSERT_EQ(json["hosts"].size(), 2u);
  const auto& db = json["hosts"][0];
  EXPECT_EQ(db["host"], "db-01");
  EXPECT_EQ(db["connected"], false);
  EXPECT_TRUE(db["last_seen"].is_null());
  EXPECT_EQ(db["last_seen_ms"], 0);
  const auto& web = json["hosts"][1];
  EXPECT_EQ(web["host"], "web-01");
  EXPECT_EQ(web["connected"], true);
  EXPECT_EQ(web["last_seen"], "2023-11-14T22:13:08Z");
  EXPECT_EQ(web["last_seen_ms"], kNow - 12'000);
  EXPECT_EQ(web["series"], 1234);
  EXPECT_EQ(web["samples"], 1234567);
  EXPECT_EQ(web["agent_version"], "0.1.0");
  EXPECT_EQ(web["last_sequence"], 42);
}

TEST_F(RenderTest, HostsJsonEmptyIsEmptyArray) {
  auto empty = message.initRoot<schema::AdminResponse>().initHosts(0).asReader();
  EXPECT_EQ(hostsJson(empty).dump(), R"({"hosts":[]})");
}

TEST_F(RenderTest, QueryText) {
  EXPECT_EQ(queryText(series()),
            "HOST    SERIES                                       TIME                   VALUE\n"
            "web-01  node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}  2023-11-14T22:13:10Z  1234.5\n"
            "web-01  node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}  2023-11-14T22:13:20Z    1240\n"
            "db-01   node_load1                                   2023-11-14T22:13:20Z    0.25\n");
}

TEST_F(RenderTest, QueryTextEmpty) {
  auto empty = message.initRoot<schema::AdminResponse>().initQuery(0).asReader();
  EXPECT_EQ(queryText(empty), "no samples match\n");
}

TEST_F(RenderTest, QueryJson) {
  auto json = queryJson(series());
  ASSERT_TRUE(json.contains("series"));
  ASSERT_EQ(json["series"].size(), 2u);
  const auto& cpu = json["series"][0];
  EXPECT_EQ(cpu["host"], "web-01");
  EXPECT_EQ(cpu["metric"], "node_cpu_seconds_total");
  EXPECT_EQ(cpu["labels"], nlohmann::json({{"cpu", "0"}, {"mode", "idle"}}));
  ASSERT_EQ(cpu["samples"].size(), 2u);
  EXPECT_EQ(cpu["samples"][0][0], kNow - 10'000);
  EXPECT_EQ(cpu["samples"][0][1], 1234.5);
  EXPECT_EQ(cpu["samples"][1][0], kNow);
  EXPECT_EQ(cpu["samples"][1][1], 1240.0);
  const auto& load = json["series"][1];
  EXPECT_TRUE(load["labels"].is_object());
  EXPECT_TRUE(load["labels"].empty());
  EXPECT_EQ(load["samples"].dump(), "[[1700000000000,0.25]]");
}

TEST_F(RenderTest, StatusText) {
  EXPECT_EQ(statusText(status()),
            "controller        tidemark-controller 0.1.0\n"
            "uptime            1h30m15s\n"
            "listening on      tcp://0.0.0.0:7070\n"
            "data dir          /var/lib/tidemark\n"
            "agents connected  3 of 4 known\n"
            "series stored     12,345\n"
            "samples stored    9,876,543,210\n");
}

TEST_F(RenderTest, StatusJson) {
  auto json = statusJson(status());
  EXPECT_EQ(json["version"], "0.1.0");
  EXPECT_DOUBLE_EQ(json["uptime_seconds"].get<double>(), 5415.7);
  EXPECT_EQ(json["agents_connected"], 3);
  EXPECT_EQ(json["agents_known"], 4);
  EXPECT_EQ(json["series"], 12345);
  EXPECT_EQ(json["samples"], 9876543210ull);
  EXPECT_EQ(json["data_dir"], "/var/lib/tidemark");
  EXPECT_EQ(json["listen"], "tcp://0.0.0.0:7070");
}

}  // namespace
}  // namespace tidemark::cli
