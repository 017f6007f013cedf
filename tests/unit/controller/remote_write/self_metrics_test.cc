// SelfMetricsWriter: the exporter's health lands in the store as series of the
// controller's host, one sample per series per write, and a clock that steps back
// writes nothing.
#include "controller/remote_write/self_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "tests/support/test_support.h"

namespace tidemark::controller::remote_write {
namespace {

using tidemark::testing::TempDir;

constexpr int64_t kStart = 1'700'000'000'000;

class SelfMetricsTest : public ::testing::Test {
 protected:
  SelfMetricsTest() {
    StoreOptions options;
    options.path = (dir.path() / "db").string();
    options.sync_writes = false;
    options.now_ms = [] { return kStart; };
    store = SampleStore::open(options);
  }

  // "metric{labels}" -> the values written, oldest first.
  std::map<std::string, std::vector<double>> stored(const std::string& host) {
    std::map<std::string, std::vector<double>> out;
    for (const char* metric :
         {"tidemark_remote_write_samples_sent_total", "tidemark_remote_write_samples_failed_total",
          "tidemark_remote_write_samples_dropped_total", "tidemark_remote_write_samples_pending",
          "tidemark_remote_write_queue_bytes", "tidemark_remote_write_lag_seconds"}) {
      SeriesQuery query;
      query.metric = metric;
      query.host = host;
      for (const auto& series : store->query(query)) {
        std::string key = series.metric + "{";
        for (const auto& label : series.labels) key += label.name + "=" + label.value;
        out[key + "}"] = series.values;
      }
    }
    return out;
  }

  TempDir dir;
  std::unique_ptr<SampleStore> store;
};

TEST_F(SelfMetricsTest, WritesEachFigureAsASeriesOfTheControllerHost) {
  SelfMetricsWriter writer(*store, "ctl-1");
  RemoteWriteStats stats;
  stats.samples_sent = 1000;
  stats.samples_failed = 20;
  stats.samples_dropped = 7;  // 4 refused with a 4xx, 3 pushed out of a full queue
  stats.samples_dropped_queue = 3;
  stats.samples_pending = 150;
  stats.queue_bytes = 4096;
  stats.lag_seconds = 2.5;
  ASSERT_EQ(writer.write(stats, kStart), "");
  stats.samples_sent = 1500;
  stats.samples_pending = 0;
  stats.lag_seconds = 0;
  ASSERT_EQ(writer.write(stats, kStart + 10'000), "");

  using V = std::vector<double>;
  const std::map<std::string, V> want = {
      {"tidemark_remote_write_samples_sent_total{}", V{1000, 1500}},
      {"tidemark_remote_write_samples_failed_total{}", V{20, 20}},
      {"tidemark_remote_write_samples_dropped_total{reason=rejected}", V{4, 4}},
      {"tidemark_remote_write_samples_dropped_total{reason=queue_full}", V{3, 3}},
      {"tidemark_remote_write_samples_pending{}", V{150, 0}},
      {"tidemark_remote_write_queue_bytes{}", V{4096, 4096}},
      {"tidemark_remote_write_lag_seconds{}", V{2.5, 0}},
  };
  EXPECT_EQ(stored("ctl-1"), want);
  EXPECT_TRUE(stored("other").empty());
  ASSERT_TRUE(store->host("ctl-1").has_value());
  EXPECT_EQ(store->host("ctl-1")->samples, 14u);
}

TEST_F(SelfMetricsTest, AClockSteppingBackWritesNothing) {
  SelfMetricsWriter writer(*store, "ctl-1");
  RemoteWriteStats stats;
  stats.samples_sent = 1;
  ASSERT_EQ(writer.write(stats, kStart), "");
  stats.samples_sent = 2;
  ASSERT_EQ(writer.write(stats, kStart), "");  // the same millisecond
  ASSERT_EQ(writer.write(stats, kStart - 5'000), "");
  const auto got = stored("ctl-1");
  ASSERT_TRUE(got.count("tidemark_remote_write_samples_sent_total{}"));
  EXPECT_EQ(got.at("tidemark_remote_write_samples_sent_total{}"), std::vector<double>{1});
}

}  // namespace
}  // namespace tidemark::controller::remote_write
