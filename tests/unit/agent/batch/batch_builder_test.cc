#include "agent/batch/batch_builder.h"

#include <gtest/gtest.h>

#include <vector>

namespace tidemark::agent {
namespace {

TEST(BatchBuilderTest, RowsCarryTheBeginTimestampAndRegistryIds) {
  SeriesRegistry registry;
  BatchBuilder builder(registry);
  builder.begin(1'700'000'000'123);
  builder.add("node_load1", 0.52);
  builder.add("node_disk_reads_total", 42, {{"mode", "read"}, {"device", "sda"}});
  builder.add("node_disk_reads_total", 7, {{"device", "sdb"}, {"mode", "read"}});
  EXPECT_EQ(builder.rows(), 3u);

  const LabelView sda[] = {{"device", "sda"}, {"mode", "read"}};
  const LabelView sdb[] = {{"mode", "read"}, {"device", "sdb"}};
  wire::MetricBatchData batch = builder.take();
  EXPECT_EQ(batch.series_ids,
            (std::vector<uint32_t>{registry.idFor("node_load1", {}),
                                   registry.idFor("node_disk_reads_total", sda),
                                   registry.idFor("node_disk_reads_total", sdb)}));
  EXPECT_EQ(registry.size(), 3u);
  // One collection: its time is kept once, not once a sample.
  EXPECT_TRUE(batch.timestamps_ms.empty());
  EXPECT_EQ(batch.timestamp_ms, 1'700'000'000'123);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(batch.timestampAt(i), 1'700'000'000'123);
  EXPECT_EQ(batch.values, (std::vector<double>{0.52, 42, 7}));
  // The header is the agent's to fill in.
  EXPECT_TRUE(batch.host_id.empty());
  EXPECT_EQ(batch.epoch, 0u);
  EXPECT_EQ(batch.sequence, 0u);
  EXPECT_EQ(batch.oldest_pending, 0u);
  EXPECT_TRUE(batch.announcements.empty());
}

TEST(BatchBuilderTest, SameSeriesTwiceInOneBatchSharesTheId) {
  SeriesRegistry registry;
  BatchBuilder builder(registry);
  builder.begin(5);
  builder.add("m", 1, {{"a", "1"}, {"b", "2"}});
  builder.add("m", 2, {{"b", "2"}, {"a", "1"}});
  wire::MetricBatchData batch = builder.take();
  ASSERT_EQ(batch.series_ids.size(), 2u);
  EXPECT_EQ(batch.series_ids[0], batch.series_ids[1]);
  EXPECT_EQ(registry.size(), 1u);
}

TEST(BatchBuilderTest, SeriesKeepTheirIdsWhenCollectorsChangeTheirOrder) {
  SeriesRegistry registry;
  BatchBuilder builder(registry);
  const LabelView sda[] = {{"device", "sda"}};
  const LabelView sdb[] = {{"device", "sdb"}};
  const LabelView unsorted[] = {{"mode", "read"}, {"device", "sda"}};
  const LabelView sorted[] = {{"device", "sda"}, {"mode", "read"}};
  builder.begin(1);
  builder.add("reads", 1, sda);
  builder.add("reads", 2, sdb);
  builder.add("ops", 3, unsorted);
  const std::vector<uint32_t> first = builder.take().series_ids;

  // Same places, other series (a disk gone, a new one, the two swapped), and the
  // unsorted labels at the place the sorted ones had: every row keeps its own id.
  builder.begin(2);
  builder.add("reads", 2, sdb);
  builder.add("ops", 3, sorted);
  builder.add("reads", 1, sda);
  builder.add("reads", 4, {{"device", "sdc"}});
  builder.begin(3);
  builder.add("reads", 1, sda);
  builder.add("reads", 2, sdb);
  builder.add("ops", 3, unsorted);
  const std::vector<uint32_t> second = builder.take().series_ids;
  ASSERT_EQ(second.size(), 7u);
  EXPECT_EQ(second[0], first[1]);
  EXPECT_EQ(second[1], first[2]);
  EXPECT_EQ(second[2], first[0]);
  const LabelView sdc[] = {{"device", "sdc"}};
  EXPECT_EQ(second[3], registry.idFor("reads", sdc));
  EXPECT_EQ((std::vector<uint32_t>(second.begin() + 4, second.end())), first);
  EXPECT_EQ(registry.size(), 4u);
}

TEST(BatchBuilderTest, TakeHandsOverAndEmpties) {
  SeriesRegistry registry;
  BatchBuilder builder(registry);
  builder.begin(1000);
  builder.add("a", 1);
  builder.add("b", 2);
  wire::MetricBatchData first = builder.take();
  EXPECT_EQ(first.series_ids.size(), 2u);
  EXPECT_EQ(builder.rows(), 0u);

  // Nothing added since: an empty batch.
  wire::MetricBatchData empty = builder.take();
  EXPECT_TRUE(empty.series_ids.empty());
  EXPECT_TRUE(empty.timestamps_ms.empty());
  EXPECT_TRUE(empty.values.empty());

  // The next collection starts afresh with its own timestamp; the first batch is untouched.
  builder.begin(2000);
  builder.add("b", 3);
  wire::MetricBatchData second = builder.take();
  EXPECT_EQ(second.series_ids, (std::vector<uint32_t>{1}));
  EXPECT_EQ(second.timestamp_ms, 2000);
  EXPECT_TRUE(second.timestamps_ms.empty());
  EXPECT_EQ(second.values, (std::vector<double>{3}));
  EXPECT_EQ(first.series_ids, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(first.timestamp_ms, 1000);
  EXPECT_TRUE(first.timestamps_ms.empty());
  EXPECT_EQ(first.values, (std::vector<double>{1, 2}));
}

TEST(BatchBuilderTest, TwoCollectionsInOneBatchGiveEachSampleItsTime) {
  SeriesRegistry registry;
  BatchBuilder builder(registry);
  builder.begin(1000);
  builder.add("a", 1);
  builder.add("b", 2);
  builder.begin(1000);  // the same time again: still one time for all
  builder.add("c", 3);
  builder.begin(2000);
  builder.add("a", 4);
  wire::MetricBatchData batch = builder.take();
  EXPECT_EQ(batch.timestamps_ms, (std::vector<int64_t>{1000, 1000, 1000, 2000}));
  EXPECT_EQ(batch.values, (std::vector<double>{1, 2, 3, 4}));
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(batch.timestampAt(i), batch.timestamps_ms[i]);

  // The next batch is one collection again.
  builder.begin(3000);
  builder.add("a", 5);
  wire::MetricBatchData next = builder.take();
  EXPECT_TRUE(next.timestamps_ms.empty());
  EXPECT_EQ(next.timestamp_ms, 3000);
}

TEST(BatchBuilderTest, UsesThePersistentRegistryIds) {
  SeriesRegistry registry;
  registry.idFor("pre_existing", {});
  BatchBuilder builder(registry);
  builder.begin(1);
  builder.add("new_one", 1);
  builder.add("pre_existing", 2);
  EXPECT_EQ(builder.take().series_ids, (std::vector<uint32_t>{1, 0}));
}

}  // namespace
}  // namespace tidemark::agent
