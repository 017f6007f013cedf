#include "controller/ingest/batch_ingester.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "tests/support/test_support.h"

namespace tidemark::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using tidemark::testing::TempDir;
using wire::AckData;
using wire::AckStatus;
using wire::MetricBatchData;
using wire::SeriesAnnouncementData;

constexpr uint64_t kEpoch = 0xE0;
constexpr const char* kHost = "web-01";

struct Sample {
  uint32_t id;
  int64_t ts;
  double value;
};

MetricBatchData makeBatch(uint64_t sequence, std::vector<SeriesAnnouncementData> announcements,
                          std::vector<Sample> samples, uint64_t epoch = kEpoch,
                          uint64_t oldest_pending = 0) {
  MetricBatchData batch;
  batch.host_id = kHost;
  batch.epoch = epoch;
  batch.sequence = sequence;
  batch.oldest_pending = oldest_pending;
  batch.announcements = std::move(announcements);
  for (const auto& s : samples) {
    batch.series_ids.push_back(s.id);
    batch.timestamps_ms.push_back(s.ts);
    batch.values.push_back(s.value);
  }
  return batch;
}

SeriesAnnouncementData cpuIdle() { return {1, "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "idle"}}}; }
SeriesAnnouncementData load1() { return {2, "node_load1", {}}; }

class BatchIngesterTest : public ::testing::Test {
 protected:
  BatchIngesterTest() {
    StoreOptions options;
    options.path = (dir.path() / "db").string();
    options.sync_writes = false;
    // Fixture timestamps are from 1970: keep them despite the raw retention.
    options.raw_retention_ms = 0;
    store = SampleStore::open(options);
  }

  // Ingests one batch in its own write set and commits it.
  AckData ingest(const MetricBatchData& batch, int64_t now_ms = 5'000) {
    WriteSet writes = store->beginWrite();
    BatchIngester ingester(*store, limits);
    AckData ack = ingester.ingest(writes, batch, now_ms);
    EXPECT_EQ(store->commit(writes), "");
    return ack;
  }

  wire::WelcomeData hello(const wire::HelloData& data, int64_t now_ms = 5'000) {
    WriteSet writes = store->beginWrite();
    BatchIngester ingester(*store, limits);
    auto welcome = ingester.hello(writes, data, now_ms);
    EXPECT_EQ(store->commit(writes), "");
    return welcome;
  }

  std::vector<SeriesResult> query(const std::string& metric) {
    SeriesQuery q;
    q.metric = metric;
    q.since_ms = INT64_MIN;
    return store->query(q);
  }

  uint64_t lastSequence() {
    auto host = store->host(kHost);
    return host ? host->last_sequence : 0;
  }

  // Asserts that `ack` refused the batch and that the store holds nothing at all.
  void expectRejectedAndEmpty(const AckData& ack, const std::string& reason_part) {
    EXPECT_EQ(ack.status, AckStatus::kRejected) << ack.reason;
    EXPECT_THAT(ack.reason, HasSubstr(reason_part));
    EXPECT_EQ(store->seriesCount(), 0u);
    EXPECT_EQ(store->sampleCount(), 0u);
    EXPECT_TRUE(query("node_cpu_seconds_total").empty());
    EXPECT_TRUE(query("node_load1").empty());
    EXPECT_EQ(lastSequence(), 0u);
  }

  TempDir dir;
  std::unique_ptr<SampleStore> store;
  IngestLimits limits;
};

TEST_F(BatchIngesterTest, FirstBatchIsStored) {
  auto ack = ingest(makeBatch(1, {cpuIdle(), load1()}, {{1, 1000, 10.5}, {2, 1000, 0.25}, {1, 2000, 11}}),
                    7'000);
  EXPECT_EQ(ack.status, AckStatus::kStored) << ack.reason;
  EXPECT_EQ(ack.sequence, 1u);
  EXPECT_EQ(store->seriesCount(), 2u);
  EXPECT_EQ(store->sampleCount(), 3u);
  auto host = store->host(kHost);
  ASSERT_TRUE(host.has_value());
  EXPECT_EQ(host->epoch, kEpoch);
  EXPECT_EQ(host->last_sequence, 1u);
  EXPECT_EQ(host->last_seen_ms, 7'000);
  EXPECT_EQ(host->series, 2u);
  EXPECT_EQ(host->samples, 3u);

  auto cpu = query("node_cpu_seconds_total");
  ASSERT_EQ(cpu.size(), 1u);
  EXPECT_EQ(cpu[0].host, kHost);
  EXPECT_EQ(cpu[0].labels, (Labels{{"cpu", "0"}, {"mode", "idle"}}));
  EXPECT_THAT(cpu[0].timestamps_ms, ElementsAre(1000, 2000));
  EXPECT_THAT(cpu[0].values, ElementsAre(10.5, 11.0));
  auto load = query("node_load1");
  ASSERT_EQ(load.size(), 1u);
  EXPECT_THAT(load[0].values, ElementsAre(0.25));
}

TEST_F(BatchIngesterTest, ABatchWithOneTimeForAllSamplesStoresEachAtThatTime) {
  wire::MetricBatchData batch =
      makeBatch(1, {cpuIdle(), load1()}, {{1, 0, 10.5}, {2, 0, 0.25}});
  batch.timestamps_ms.clear();
  batch.timestamp_ms = 4'000;
  ASSERT_EQ(ingest(batch).status, AckStatus::kStored);
  auto cpu = query("node_cpu_seconds_total");
  ASSERT_EQ(cpu.size(), 1u);
  EXPECT_THAT(cpu[0].timestamps_ms, ElementsAre(4'000));
  EXPECT_THAT(cpu[0].values, ElementsAre(10.5));
  auto load = query("node_load1");
  ASSERT_EQ(load.size(), 1u);
  EXPECT_THAT(load[0].timestamps_ms, ElementsAre(4'000));
  EXPECT_THAT(load[0].values, ElementsAre(0.25));
}

TEST_F(BatchIngesterTest, LaterBatchesUseAnnouncedIdsWithoutReannouncing) {
  ASSERT_EQ(ingest(makeBatch(1, {cpuIdle()}, {{1, 1000, 1}})).status, AckStatus::kStored);
  auto ack = ingest(makeBatch(2, {}, {{1, 2000, 2}}));
  EXPECT_EQ(ack.status, AckStatus::kStored) << ack.reason;
  auto cpu = query("node_cpu_seconds_total");
  ASSERT_EQ(cpu.size(), 1u);
  EXPECT_THAT(cpu[0].values, ElementsAre(1.0, 2.0));
  EXPECT_EQ(lastSequence(), 2u);
  EXPECT_EQ(store->seriesCount(), 1u);
}

TEST_F(BatchIngesterTest, SameSequenceAgainIsDuplicateAndNotStoredTwice) {
  ASSERT_EQ(ingest(makeBatch(1, {cpuIdle()}, {{1, 1000, 1}})).status, AckStatus::kStored);
  // The replay even carries different values: none of it may be written.
  auto ack = ingest(makeBatch(1, {cpuIdle()}, {{1, 1000, 99}, {1, 1500, 98}}));
  EXPECT_EQ(ack.status, AckStatus::kDuplicate);
  EXPECT_EQ(ack.sequence, 1u);
  EXPECT_EQ(store->sampleCount(), 1u);
  EXPECT_EQ(store->seriesCount(), 1u);
  auto cpu = query("node_cpu_seconds_total");
  ASSERT_EQ(cpu.size(), 1u);
  EXPECT_THAT(cpu[0].timestamps_ms, ElementsAre(1000));
  EXPECT_THAT(cpu[0].values, ElementsAre(1.0));
  EXPECT_EQ(lastSequence(), 1u);
}

TEST_F(BatchIngesterTest, OlderSequenceIsDuplicate) {
  ASSERT_EQ(ingest(makeBatch(1, {cpuIdle()}, {{1, 1000, 1}})).status, AckStatus::kStored);
  ASSERT_EQ(ingest(makeBatch(2, {}, {{1, 2000, 2}})).status, AckStatus::kStored);
  EXPECT_EQ(ingest(makeBatch(1, {}, {{1, 3000, 3}})).status, AckStatus::kDuplicate);
  EXPECT_EQ(store->sampleCount(), 2u);
  EXPECT_EQ(lastSequence(), 2u);
}

TEST_F(BatchIngesterTest, OutOfOrderIsGapWithExpectedSequence) {
  ASSERT_EQ(ingest(makeBatch(1, {cpuIdle()}, {{1, 1000, 1}})).status, AckStatus::kStored);
  auto ack = ingest(makeBatch(3, {}, {{1, 3000, 3}}));
  EXPECT_EQ(ack.status, AckStatus::kGap);
  EXPECT_EQ(ack.sequence, 3u);
  EXPECT_EQ(ack.expected_sequence, 2u);
  EXPECT_EQ(store->sampleCount(), 1u);
  EXPECT_EQ(lastSequence(), 1u);
  // The agent replays from 2; then 3 is accepted.
  EXPECT_EQ(ingest(makeBatch(2, {}, {{1, 2000, 2}})).status, AckStatus::kStored);
  EXPECT_EQ(ingest(makeBatch(3, {}, {{1, 3000, 3}})).status, AckStatus::kStored);
  auto cpu = query("node_cpu_seconds_total");
  ASSERT_EQ(cpu.size(), 1u);
  EXPECT_THAT(cpu[0].values, ElementsAre(1.0, 2.0, 3.0));
  EXPECT_EQ(lastSequence(), 3u);
}

TEST_F(BatchIngesterTest, FirstBatchMustBeSequenceOne) {
  auto ack = ingest(makeBatch(4, {cpuIdle()}, {{1, 1000, 1}}));
  EXPECT_EQ(ack.status, AckStatus::kGap);
  EXPECT_EQ(ack.expected_sequence, 1u);
  EXPECT_EQ(store->seriesCount(), 0u);
  EXPECT_EQ(store->sampleCount(), 0u);
}

TEST_F(BatchIngesterTest, GapAllowedWhenAgentDroppedEarlierBatches) {
  ASSERT_EQ(ingest(makeBatch(1, {cpuIdle()}, {{1, 1000, 1}})).status, AckStatus::kStored);
  // Batches 2-4 were dropped from the agent's full outbox: the oldest it holds is 5.
  auto ack = ingest(makeBatch(5, {}, {{1, 5000, 5}}, kEpoch, /*oldest_pending=*/5));
  EXPECT_EQ(ack.status, AckStatus::kStored) << ack.reason;
  EXPECT_EQ(lastSequence(), 5u);
  EXPECT_EQ(store->sampleCount(), 2u);
  // And then the sequence continues normally.
  EXPECT_EQ(ingest(makeBatch(6, {}, {{1, 6000, 6}}, kEpoch, 6)).status, AckStatus::kStored);
}

TEST_F(BatchIngesterTest, GapWhenAgentStillHoldsEarlierBatches) {
  ASSERT_EQ(ingest(makeBatch(1, {cpuIdle()}, {{1, 1000, 1}})).status, AckStatus::kStored);
  // The agent still holds 3: only 2 was dropped, so 3 must come first.
  auto ack = ingest(makeBatch(5, {}, {{1, 5000, 5}}, kEpoch, /*oldest_pending=*/3));
  EXPECT_EQ(ack.status, AckStatus::kGap);
  EXPECT_EQ(ack.expected_sequence, 3u);
  EXPECT_EQ(store->sampleCount(), 1u);
  EXPECT_EQ(lastSequence(), 1u);
}

TEST_F(BatchIngesterTest, NewEpochResetsSequence) {
  ASSERT_EQ(ingest(makeBatch(1, {cpuIdle()}, {{1, 1000, 1}})).status, AckStatus::kStored);
  ASSERT_EQ(ingest(makeBatch(2, {}, {{1, 2000, 2}})).status, AckStatus::kStored);
  // The agent's state dir was recreated: sequence 1 again, with a new epoch.
  auto ack = ingest(makeBatch(1, {cpuIdle()}, {{1, 3000, 3}}, kEpoch + 1));
  EXPECT_EQ(ack.status, AckStatus::kStored) << ack.reason;
  auto host = store->host(kHost);
  ASSERT_TRUE(host.has_value());
  EXPECT_EQ(host->epoch, kEpoch + 1);
  EXPECT_EQ(host->last_sequence, 1u);
  // Same name and labels: the same stored series, not a new one.
  EXPECT_EQ(store->seriesCount(), 1u);
  auto cpu = query("node_cpu_seconds_total");
  ASSERT_EQ(cpu.size(), 1u);
  EXPECT_THAT(cpu[0].values, ElementsAre(1.0, 2.0, 3.0));
}

TEST_F(BatchIngesterTest, AgentIdsDoNotCarryOverToANewEpoch) {
  ASSERT_EQ(ingest(makeBatch(1, {cpuIdle()}, {{1, 1000, 1}})).status, AckStatus::kStored);
  auto ack = ingest(makeBatch(1, {}, {{1, 2000, 2}}, kEpoch + 1));
  EXPECT_EQ(ack.status, AckStatus::kResync);
  EXPECT_EQ(store->sampleCount(), 1u);
}

TEST_F(BatchIngesterTest, UnannouncedIdIsResyncAndNothingWritten) {
  // Series 2 is announced in the batch, but series 7 never was.
  auto ack = ingest(makeBatch(1, {load1()}, {{2, 1000, 1}, {7, 1000, 2}}));
  EXPECT_EQ(ack.status, AckStatus::kResync);
  EXPECT_EQ(ack.sequence, 1u);
  EXPECT_THAT(ack.reason, HasSubstr("7"));
  EXPECT_THAT(ack.reason, HasSubstr("never announced"));
  EXPECT_EQ(store->seriesCount(), 0u);
  EXPECT_EQ(store->sampleCount(), 0u);
  EXPECT_TRUE(query("node_load1").empty());
  EXPECT_EQ(lastSequence(), 0u);
  // Nothing was mapped either: the announced id is still unknown afterwards.
  EXPECT_EQ(ingest(makeBatch(1, {}, {{2, 1000, 1}})).status, AckStatus::kResync);
  // After the agent re-announces, the batch goes in.
  EXPECT_EQ(ingest(makeBatch(1, {load1()}, {{2, 1000, 1}})).status, AckStatus::kStored);
  EXPECT_EQ(store->sampleCount(), 1u);
}

TEST_F(BatchIngesterTest, AnnouncementOnlyBatchIsStored) {
  auto ack = ingest(makeBatch(0, {cpuIdle(), load1()}, {}));
  EXPECT_EQ(ack.status, AckStatus::kStored) << ack.reason;
  EXPECT_EQ(ack.sequence, 0u);
  EXPECT_EQ(store->seriesCount(), 2u);
  EXPECT_EQ(store->sampleCount(), 0u);
  EXPECT_EQ(lastSequence(), 0u);  // sequence 0 does not advance the sequence
  // The ids are known now.
  EXPECT_EQ(ingest(makeBatch(1, {}, {{1, 1000, 1}, {2, 1000, 2}})).status, AckStatus::kStored);
  EXPECT_EQ(store->sampleCount(), 2u);
  // Announcement-only batches are never duplicates, even after later sequences.
  EXPECT_EQ(ingest(makeBatch(0, {{3, "node_load5", {}}}, {})).status, AckStatus::kStored);
  EXPECT_EQ(lastSequence(), 1u);
  EXPECT_EQ(store->seriesCount(), 3u);
}

TEST_F(BatchIngesterTest, BatchesInOneWriteSetSeeEachOther) {
  WriteSet writes = store->beginWrite();
  BatchIngester ingester(*store, limits);
  EXPECT_EQ(ingester.ingest(writes, makeBatch(1, {cpuIdle()}, {{1, 1000, 1}}), 1).status,
            AckStatus::kStored);
  EXPECT_EQ(ingester.ingest(writes, makeBatch(2, {}, {{1, 2000, 2}}), 2).status,
            AckStatus::kStored);
  EXPECT_EQ(ingester.ingest(writes, makeBatch(2, {}, {{1, 2000, 2}}), 3).status,
            AckStatus::kDuplicate);
  EXPECT_EQ(ingester.ingest(writes, makeBatch(4, {}, {{1, 4000, 4}}), 3).status, AckStatus::kGap);
  EXPECT_EQ(store->sampleCount(), 0u);  // nothing before commit
  ASSERT_EQ(store->commit(writes), "");
  EXPECT_EQ(store->sampleCount(), 2u);
  EXPECT_EQ(lastSequence(), 2u);
  EXPECT_EQ(store->host(kHost)->last_seen_ms, 3);
}

TEST_F(BatchIngesterTest, InvalidMetricNameRejected) {
  expectRejectedAndEmpty(ingest(makeBatch(1, {cpuIdle(), {2, "bad-name", {}}}, {{1, 1000, 1}})),
                         "invalid metric name");
  expectRejectedAndEmpty(ingest(makeBatch(1, {{2, "", {}}}, {})), "invalid metric name");
  expectRejectedAndEmpty(ingest(makeBatch(1, {{2, "1up", {}}}, {})), "invalid metric name");
}

TEST_F(BatchIngesterTest, InvalidLabelNameRejected) {
  expectRejectedAndEmpty(
      ingest(makeBatch(1, {load1(), {1, "node_cpu_seconds_total", {{"cpu-id", "0"}}}},
                       {{2, 1000, 1}})),
      "invalid label name");
  expectRejectedAndEmpty(ingest(makeBatch(1, {{1, "m", {{"", "x"}}}}, {})), "invalid label name");
  expectRejectedAndEmpty(ingest(makeBatch(1, {{1, "m", {{"ns:x", "x"}}}}, {})),
                         "invalid label name");
}

TEST_F(BatchIngesterTest, HostLabelRejected) {
  expectRejectedAndEmpty(ingest(makeBatch(1, {{1, "node_load1", {{"host", "other"}}}}, {{1, 1, 1}})),
                         "invalid label name \"host\"");
}

TEST_F(BatchIngesterTest, UnsortedOrDuplicatedLabelsRejected) {
  expectRejectedAndEmpty(
      ingest(makeBatch(1, {{1, "node_cpu_seconds_total", {{"mode", "idle"}, {"cpu", "0"}}}},
                       {{1, 1000, 1}})),
      "not sorted");
  expectRejectedAndEmpty(
      ingest(makeBatch(1, {{1, "node_cpu_seconds_total", {{"cpu", "0"}, {"cpu", "1"}}}}, {})),
      "not sorted or duplicated");
}

TEST_F(BatchIngesterTest, TooManyLabelsRejected) {
  limits.max_labels = 2;
  expectRejectedAndEmpty(
      ingest(makeBatch(1, {{1, "m", {{"a", "1"}, {"b", "2"}, {"c", "3"}}}}, {{1, 1, 1}})),
      "3 labels, the limit is 2");
  // Exactly at the limit is fine.
  EXPECT_EQ(ingest(makeBatch(1, {{1, "m", {{"a", "1"}, {"b", "2"}}}}, {{1, 1, 1}})).status,
            AckStatus::kStored);
}

TEST_F(BatchIngesterTest, OverlongNamesAndValuesRejected) {
  limits.max_name_bytes = 8;
  expectRejectedAndEmpty(ingest(makeBatch(1, {{1, "metric_name", {}}}, {})), "invalid metric name");
  expectRejectedAndEmpty(ingest(makeBatch(1, {{1, "m", {{"label_name", "v"}}}}, {})),
                         "invalid label name");
  expectRejectedAndEmpty(ingest(makeBatch(1, {{1, "m", {{"l", "123456789"}}}}, {})),
                         "longer than 8 bytes");
  EXPECT_EQ(ingest(makeBatch(1, {{1, "metric_n", {{"label_na", "12345678"}}}}, {})).status,
            AckStatus::kStored);
}

TEST_F(BatchIngesterTest, InvalidHostIdRejected) {
  auto batch = makeBatch(1, {cpuIdle()}, {{1, 1000, 1}});
  batch.host_id = "bad host";
  auto ack = ingest(batch);
  EXPECT_EQ(ack.status, AckStatus::kRejected);
  EXPECT_THAT(ack.reason, HasSubstr("bad host"));
  batch.host_id = "";
  EXPECT_EQ(ingest(batch).status, AckStatus::kRejected);
  EXPECT_TRUE(store->hosts().empty());
  EXPECT_EQ(store->sampleCount(), 0u);
}

TEST_F(BatchIngesterTest, TooManySamplesRejected) {
  limits.max_samples_per_batch = 2;
  expectRejectedAndEmpty(ingest(makeBatch(1, {cpuIdle()}, {{1, 1, 1}, {1, 2, 2}, {1, 3, 3}})),
                         "3 samples, the limit is 2");
}

TEST_F(BatchIngesterTest, RejectedBatchDoesNotBlockTheNext) {
  auto bad = ingest(makeBatch(1, {{1, "bad-name", {}}}, {{1, 1, 1}}));
  ASSERT_EQ(bad.status, AckStatus::kRejected);
  // The agent drops batch 1; batch 2 says it holds nothing older.
  auto ack = ingest(makeBatch(2, {cpuIdle()}, {{1, 2000, 2}}, kEpoch, 2));
  EXPECT_EQ(ack.status, AckStatus::kStored) << ack.reason;
  EXPECT_EQ(store->sampleCount(), 1u);
}

TEST_F(BatchIngesterTest, MaxSeriesPerHostEnforced) {
  limits.max_series_per_host = 2;
  expectRejectedAndEmpty(
      ingest(makeBatch(1, {cpuIdle(), load1(), {3, "node_load5", {}}}, {{1, 1, 1}})),
      "exceed 2 series");
  ASSERT_EQ(ingest(makeBatch(1, {cpuIdle(), load1()}, {{1, 1, 1}, {2, 1, 2}})).status,
            AckStatus::kStored);
  EXPECT_EQ(store->seriesCount(), 2u);
  auto ack = ingest(makeBatch(2, {{3, "node_load5", {}}}, {{3, 2, 3}, {1, 2, 4}}));
  EXPECT_EQ(ack.status, AckStatus::kRejected);
  EXPECT_THAT(ack.reason, HasSubstr("exceed 2 series"));
  EXPECT_EQ(store->seriesCount(), 2u);
  EXPECT_EQ(store->sampleCount(), 2u);
  EXPECT_TRUE(query("node_load5").empty());
  // The limit is per host: another host may have its own series.
  auto other = makeBatch(1, {{3, "node_load5", {}}}, {{3, 2, 3}});
  other.host_id = "db-01";
  EXPECT_EQ(ingest(other).status, AckStatus::kStored);
}

TEST_F(BatchIngesterTest, ReannouncingKnownSeriesDoesNotCountAgainstTheLimit) {
  limits.max_series_per_host = 3;
  ASSERT_EQ(ingest(makeBatch(1, {cpuIdle(), load1()}, {{1, 1, 1}, {2, 1, 2}})).status,
            AckStatus::kStored);
  // Agents announce every series not yet acknowledged, so batch 2 (sent before the ack
  // of 1 arrived) announces both again; that creates no series.
  auto ack = ingest(makeBatch(2, {cpuIdle(), load1()}, {{1, 2, 3}, {2, 2, 4}}));
  EXPECT_EQ(ack.status, AckStatus::kStored) << ack.reason;
  EXPECT_EQ(store->seriesCount(), 2u);
  EXPECT_EQ(store->sampleCount(), 4u);
  // After a resync in a new epoch too, with different agent ids.
  auto resync = makeBatch(1, {{10, "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "idle"}}},
                              {11, "node_load1", {}}},
                          {{10, 3, 5}, {11, 3, 6}}, kEpoch + 1);
  ack = ingest(resync);
  EXPECT_EQ(ack.status, AckStatus::kStored) << ack.reason;
  EXPECT_EQ(store->seriesCount(), 2u);
  // One new series still fits; two more would not.
  EXPECT_EQ(ingest(makeBatch(2, {load1(), {12, "a", {}}, {13, "b", {}}}, {}, kEpoch + 1)).status,
            AckStatus::kRejected);
  EXPECT_EQ(ingest(makeBatch(2, {load1(), {12, "a", {}}}, {}, kEpoch + 1)).status,
            AckStatus::kStored);
  EXPECT_EQ(store->seriesCount(), 3u);
}

TEST_F(BatchIngesterTest, HelloUpdatesHostStateAndWelcomes) {
  wire::HelloData data;
  data.host_id = kHost;
  data.agent_version = "0.1.0-test";
  data.boot_id = "boot-1";
  data.epoch = kEpoch;
  data.interval_ms = 15'000;
  data.facts = {{"kernel", "6.1.0"}, {"cpu_count", "8"}};
  auto welcome = hello(data, 1'234);
  EXPECT_EQ(welcome.controller_version, TIDEMARK_VERSION);
  EXPECT_EQ(welcome.last_sequence, 0u);
  EXPECT_TRUE(welcome.reads_uniform_timestamps);
  auto host = store->host(kHost);
  ASSERT_TRUE(host.has_value());
  EXPECT_EQ(host->agent_version, "0.1.0-test");
  EXPECT_EQ(host->boot_id, "boot-1");
  EXPECT_EQ(host->epoch, kEpoch);
  EXPECT_EQ(host->interval_ms, 15'000u);
  EXPECT_EQ(host->last_seen_ms, 1'234);
  EXPECT_EQ(host->facts, data.facts);

  ASSERT_EQ(ingest(makeBatch(1, {cpuIdle()}, {{1, 1, 1}})).status, AckStatus::kStored);
  ASSERT_EQ(ingest(makeBatch(2, {}, {{1, 2, 2}})).status, AckStatus::kStored);
  // A reconnect in the same epoch learns where the controller stands.
  data.agent_version = "0.1.1";
  data.facts = {{"kernel", "6.2.0"}};
  welcome = hello(data, 9'999);
  EXPECT_EQ(welcome.last_sequence, 2u);
  host = store->host(kHost);
  EXPECT_EQ(host->agent_version, "0.1.1");
  EXPECT_EQ(host->facts, data.facts);
  EXPECT_EQ(host->last_sequence, 2u);
  EXPECT_EQ(host->series, 1u);
  EXPECT_EQ(host->samples, 2u);

  // A new epoch starts from zero.
  data.epoch = kEpoch + 1;
  welcome = hello(data);
  EXPECT_EQ(welcome.last_sequence, 0u);
  EXPECT_EQ(store->host(kHost)->epoch, kEpoch + 1);
  EXPECT_EQ(store->host(kHost)->last_sequence, 0u);
  EXPECT_EQ(ingest(makeBatch(1, {cpuIdle()}, {{1, 3, 3}}, kEpoch + 1)).status, AckStatus::kStored);
}

TEST_F(BatchIngesterTest, HelloKeepsIntervalForPresence) {
  wire::HelloData data;
  data.host_id = "h1";
  data.interval_ms = 2'000;
  hello(data);
  EXPECT_EQ(store->host("h1")->interval_ms, 2'000u);
  // Batches do not touch the interval.
  auto batch = makeBatch(1, {load1()}, {{2, 1, 1}});
  batch.host_id = "h1";
  ASSERT_EQ(ingest(batch).status, AckStatus::kStored);
  EXPECT_EQ(store->host("h1")->interval_ms, 2'000u);
}

}  // namespace
}  // namespace tidemark::controller
