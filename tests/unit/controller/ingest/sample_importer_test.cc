#include "controller/ingest/sample_importer.h"

#include <capnp/message.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/errors/error.h"
#include "controller/admin/admin_handler.h"
#include "tests/support/test_support.h"

namespace tidemark::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using tidemark::testing::TempDir;

constexpr int64_t kStart = 1'700'000'000'000;

struct SeriesIn {
  std::string host;
  std::string metric;
  Labels labels;
  std::vector<int64_t> timestamps;
  std::vector<double> values;
};

class SampleImporterTest : public ::testing::Test {
 protected:
  SampleImporterTest() {
    StoreOptions options;
    options.path = (dir.path() / "db").string();
    options.sync_writes = false;
    options.raw_retention_ms = 0;  // fixture times are in 2023
    store = SampleStore::open(options);
  }

  // Builds the request in `message` and returns it.
  schema::ImportRequest::Reader request(const std::vector<SeriesIn>& series) {
    message = std::make_unique<capnp::MallocMessageBuilder>();
    auto list =
        message->initRoot<schema::ImportRequest>().initSeries(static_cast<unsigned>(series.size()));
    for (size_t i = 0; i < series.size(); ++i) {
      auto out = list[i];
      out.setHost(series[i].host);
      out.setMetric(series[i].metric);
      auto labels = out.initLabels(static_cast<unsigned>(series[i].labels.size()));
      for (size_t j = 0; j < series[i].labels.size(); ++j) {
        labels[j].setName(series[i].labels[j].name);
        labels[j].setValue(series[i].labels[j].value);
      }
      auto ts = out.initTimestampsMs(static_cast<unsigned>(series[i].timestamps.size()));
      for (size_t j = 0; j < series[i].timestamps.size(); ++j) ts.set(j, series[i].timestamps[j]);
      auto values = out.initValues(static_cast<unsigned>(series[i].values.size()));
      for (size_t j = 0; j < series[i].values.size(); ++j) values.set(j, series[i].values[j]);
    }
    return message->getRoot<schema::ImportRequest>().asReader();
  }

  std::vector<SeriesResult> all(const std::string& metric) {
    SeriesQuery query;
    query.metric = metric;
    query.since_ms = 0;
    query.until_ms = INT64_MAX;
    return store->query(query);
  }

  TempDir dir;
  std::unique_ptr<SampleStore> store;
  std::unique_ptr<capnp::MallocMessageBuilder> message;
};

TEST_F(SampleImporterTest, WritesEverySeriesOfARequestAndCountsThem) {
  SampleImporter importer(*store, IngestLimits{});
  ImportResult result = importer.apply(request({
      {"web", "node_load1", {}, {kStart, kStart + 10'007, kStart + 19'998}, {0.5, 0.52, 1e-300}},
      {"db", "node_disk_reads_total", {{"device", "sda"}}, {kStart + 1}, {42}},
      {"web", "node_disk_reads_total", {{"device", "sda"}}, {kStart + 2, kStart + 3}, {1, 2}},
  }));
  EXPECT_EQ(result.samples, 6u);
  EXPECT_EQ(result.series, 3u);
  EXPECT_EQ(result.new_series, 3u);

  auto load = all("node_load1");
  ASSERT_EQ(load.size(), 1u);
  EXPECT_EQ(load[0].host, "web");
  EXPECT_THAT(load[0].timestamps_ms, ElementsAre(kStart, kStart + 10'007, kStart + 19'998));
  EXPECT_THAT(load[0].values, ElementsAre(0.5, 0.52, 1e-300));
  auto reads = all("node_disk_reads_total");
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(reads[0].host, "db");
  EXPECT_THAT(reads[0].labels, ElementsAre(Label{"device", "sda"}));
  EXPECT_THAT(reads[1].values, ElementsAre(1, 2));

  auto web = store->host("web");
  ASSERT_TRUE(web.has_value());
  EXPECT_EQ(web->series, 2u);
  EXPECT_EQ(web->samples, 5u);
  EXPECT_EQ(web->last_sequence, 0u);  // imports are not agent traffic

  // The same series again (a later piece of the same file) is not new.
  result = importer.apply(request({{"web", "node_load1", {}, {kStart + 30'000}, {2}}}));
  EXPECT_EQ(result.new_series, 0u);
  EXPECT_EQ(all("node_load1")[0].values.size(), 4u);
}

TEST_F(SampleImporterTest, ARefusedRequestWritesNothing) {
  SampleImporter importer(*store, IngestLimits{});
  const SeriesIn good{"web", "node_load1", {}, {kStart}, {1}};
  struct Case {
    SeriesIn bad;
    const char* reason;
  };
  const Case cases[] = {
      {{"web", "1bad", {}, {kStart}, {1}}, "invalid metric name"},
      {{"web", "m", {{"host", "x"}}, {kStart}, {1}}, "invalid label name \"host\""},
      {{"web", "m", {{"b", "1"}, {"a", "2"}}, {kStart}, {1}}, "labels not sorted"},
      {{"web", "m", {{"a", "1"}, {"a", "2"}}, {kStart}, {1}}, "labels not sorted or duplicated"},
      {{"web", "m", {{"a-b", "1"}}, {kStart}, {1}}, "invalid label name"},
      {{"bad host", "m", {}, {kStart}, {1}}, "host"},
      {{"", "m", {}, {kStart}, {1}}, "host"},
      {{"web", "m", {}, {kStart, kStart}, {1, 2}}, "not strictly increasing"},
      {{"web", "m", {}, {kStart + 1, kStart}, {1, 2}}, "not strictly increasing"},
      {{"web", "m", {}, {kStart}, {1, 2}}, "1 timestamps but 2 values"},
  };
  for (const auto& c : cases) {
    try {
      importer.apply(request({good, c.bad}));
      ADD_FAILURE() << "accepted: " << c.reason;
    } catch (const std::invalid_argument& e) {
      EXPECT_THAT(e.what(), HasSubstr(c.reason));
    }
    EXPECT_TRUE(all("node_load1").empty()) << c.reason;
    EXPECT_FALSE(store->host("web").has_value()) << c.reason;
  }
  // The importer still works after refusals.
  EXPECT_EQ(importer.apply(request({good})).samples, 1u);
}

TEST_F(SampleImporterTest, AppliesTheIngestLimits) {
  IngestLimits limits;
  limits.max_series_per_host = 2;
  limits.max_samples_per_batch = 3;
  limits.max_labels = 1;
  SampleImporter importer(*store, limits);
  EXPECT_THROW(importer.apply(request({{"web", "m", {}, {1, 2, 3, 4}, {1, 2, 3, 4}}})),
               std::invalid_argument);
  EXPECT_THROW(importer.apply(request({{"web", "m", {{"a", "1"}, {"b", "2"}}, {1}, {1}}})),
               std::invalid_argument);
  importer.apply(request({{"web", "a", {}, {1}, {1}}, {"web", "b", {}, {1}, {1}}}));
  try {
    importer.apply(request({{"web", "a", {}, {2}, {1}}, {"web", "c", {}, {1}, {1}}}));
    ADD_FAILURE() << "a third series was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("would exceed 2 series"));
  }
  EXPECT_EQ(store->host("web")->series, 2u);
  EXPECT_EQ(all("a")[0].values.size(), 1u);  // the refused request's sample for `a` is not there
}

TEST_F(SampleImporterTest, AdminHandlerAnswersImportRequests) {
  AgentPresence presence;
  ManualClock clock(kStart);
  SampleImporter importer(*store, IngestLimits{});
  AdminHandler with(AdminContext{*store, presence, clock, 0, "", nullptr, &importer});
  AdminHandler without(AdminContext{*store, presence, clock, 0, ""});

  capnp::MallocMessageBuilder request_message;
  auto series = request_message.initRoot<schema::AdminRequest>().initImportSamples().initSeries(1);
  series[0].setHost("web");
  series[0].setMetric("node_load1");
  series[0].initTimestampsMs(2).set(1, 5);
  series[0].initValues(2).set(0, 1.5);
  auto request = request_message.getRoot<schema::AdminRequest>().asReader();

  capnp::MallocMessageBuilder refused;
  without.handle(request, refused.initRoot<schema::AdminResponse>());
  ASSERT_TRUE(refused.getRoot<schema::AdminResponse>().isError());

  capnp::MallocMessageBuilder answer;
  with.handle(request, answer.initRoot<schema::AdminResponse>());
  auto response = answer.getRoot<schema::AdminResponse>().asReader();
  ASSERT_TRUE(response.isImported()) << response.getError().cStr();
  EXPECT_EQ(response.getImported().getSamples(), 2u);
  EXPECT_EQ(response.getImported().getSeries(), 1u);
  EXPECT_EQ(response.getImported().getNewSeries(), 1u);
  EXPECT_THAT(all("node_load1")[0].values, ElementsAre(1.5, 0));

  // A bad piece is an error reply naming the series, not an exception.
  series[0].setHost("no spaces");
  capnp::MallocMessageBuilder error_answer;
  with.handle(request_message.getRoot<schema::AdminRequest>().asReader(),
              error_answer.initRoot<schema::AdminResponse>());
  auto error = error_answer.getRoot<schema::AdminResponse>().asReader();
  ASSERT_TRUE(error.isError());
  EXPECT_THAT(error.getError().cStr(), HasSubstr("node_load1"));
}

}  // namespace
}  // namespace tidemark::controller
