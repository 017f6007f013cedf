#include "controller/planner/resource_series.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "controller/history/rocksdb_history.h"
#include "controller/planner/counter_rates.h"
#include "controller/planner/fleet_totals.h"
#include "tests/support/test_support.h"

namespace tidemark::controller::planner {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::Pointwise;
using tidemark::testing::TempDir;

constexpr int64_t kMinute = 60'000;
constexpr double kGiB = 1024.0 * 1024 * 1024;

class ResourceSeriesTest : public ::testing::Test {
 protected:
  ResourceSeriesTest() {
    StoreOptions options;
    options.path = (dir.path() / "db").string();
    options.sync_writes = false;
    // Fixture timestamps are from 1970: keep them despite every retention.
    options.raw_retention_ms = 0;
    options.rollup_5m_retention_ms = 0;
    options.rollup_1h_retention_ms = 0;
    store = SampleStore::open(options);
  }

  // One series: value(i) at i minutes, for i in [0, minutes).
  template <typename Value>
  void put(const std::string& host, const std::string& metric, Labels labels, int minutes,
           Value value) {
    WriteSet writes = store->beginWrite();
    sortLabels(labels);
    const uint64_t id = store->resolveSeries(writes, host, metric, labels);
    for (int i = 0; i < minutes; ++i) store->appendSample(writes, id, i * kMinute, value(i));
    ASSERT_EQ(store->commit(writes), "");
  }

  std::vector<ResourceSeries> read(Resource resource, int64_t step_ms = 0,
                                   Aggregation aggregation = Aggregation::kAvg) {
    ResourceWindow window;
    window.step_ms = step_ms;
    window.gauge_aggregation = aggregation;
    return readResource(RocksdbHistory(*store), resource, window);
  }

  TempDir dir;
  std::unique_ptr<SampleStore> store;
};

TEST_F(ResourceSeriesTest, MemoryIsTotalMinusAvailable) {
  put("web", "node_memory_MemTotal_bytes", {}, 3, [](int) { return 8 * kGiB; });
  put("web", "node_memory_MemAvailable_bytes", {}, 3, [](int i) { return (6 - i) * kGiB; });
  auto series = read(Resource::kMemory);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].host, "web");
  EXPECT_EQ(series[0].capacity, 8 * kGiB);
  EXPECT_THAT(series[0].timestamps_ms, ElementsAre(0, kMinute, 2 * kMinute));
  EXPECT_THAT(series[0].used, ElementsAre(2 * kGiB, 3 * kGiB, 4 * kGiB));
  EXPECT_THAT(series[0].ratio, ElementsAre(0.25, 0.375, 0.5));
}

TEST_F(ResourceSeriesTest, DiskIsPerFilesystemAndSkipsUnmatchedSeries) {
  const Labels root = {{"device", "/dev/sda1"}, {"fstype", "ext4"}, {"mountpoint", "/"}};
  const Labels data = {{"device", "/dev/sdb1"}, {"fstype", "xfs"}, {"mountpoint", "/data"}};
  put("web", "node_filesystem_size_bytes", root, 2, [](int) { return 100.0; });
  put("web", "node_filesystem_avail_bytes", root, 2, [](int i) { return 60.0 - 10 * i; });
  put("web", "node_filesystem_size_bytes", data, 2, [](int) { return 1000.0; });
  put("web", "node_filesystem_avail_bytes", data, 2, [](int) { return 100.0; });
  // Free space without a size: no fraction can be made, so no series.
  put("db", "node_filesystem_avail_bytes", root, 2, [](int) { return 5.0; });
  auto series = read(Resource::kDisk);
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0].labels, root);
  EXPECT_THAT(series[0].used, ElementsAre(40.0, 50.0));
  EXPECT_THAT(series[0].ratio, ElementsAre(0.4, 0.5));
  EXPECT_EQ(series[1].labels, data);
  EXPECT_THAT(series[1].used, ElementsAre(900.0, 900.0));
}

TEST_F(ResourceSeriesTest, PierCapacityIsThePierPlusItsFilesystemsFreeSpace) {
  const Labels ship = {{"pier", "/srv/zod"}, {"ship", "zod"}};
  put("web", "urbit_ship_pier_bytes", ship, 2, [](int i) { return 10.0 + i; });
  put("web", "urbit_ship_filesystem_avail_bytes", ship, 2, [](int i) { return 90.0 - i; });
  // A ship whose filesystem free space is unknown still has a history.
  const Labels other = {{"pier", "/srv/bus"}, {"ship", "bus"}};
  put("web", "urbit_ship_pier_bytes", other, 2, [](int) { return 5.0; });
  auto series = read(Resource::kPier);
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0].labels, other);
  EXPECT_EQ(series[0].capacity, 0);
  EXPECT_TRUE(series[0].ratio.empty());
  EXPECT_THAT(series[1].used, ElementsAre(10.0, 11.0));
  EXPECT_EQ(series[1].capacity, 100.0);
  EXPECT_THAT(series[1].ratio, ElementsAre(0.1, 0.11));
}

TEST_F(ResourceSeriesTest, LoomUseIsTheRatioOfTheLoomSize) {
  const Labels ship = {{"pier", "/srv/zod"}, {"ship", "zod"}};
  put("web", "urbit_ship_loom_use_ratio", ship, 2, [](int i) { return 0.5 + 0.25 * i; });
  put("web", "urbit_ship_loom_bytes", ship, 2, [](int) { return 2 * kGiB; });
  auto series = read(Resource::kLoom);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].capacity, 2 * kGiB);
  EXPECT_THAT(series[0].used, ElementsAre(1 * kGiB, 1.5 * kGiB));
  EXPECT_THAT(series[0].ratio, ElementsAre(0.5, 0.75));
}

TEST_F(ResourceSeriesTest, CpuIsTheBusyShareOfAllCpuTime) {
  // Two CPUs, per minute: cpu0 busy 30 s (user) of 60, cpu1 busy 15 s (system) of 60,
  // with iowait counted as idle.
  put("web", "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "user"}}, 4,
      [](int i) { return 30.0 * i; });
  put("web", "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "idle"}}, 4,
      [](int i) { return 30.0 * i; });
  put("web", "node_cpu_seconds_total", {{"cpu", "1"}, {"mode", "system"}}, 4,
      [](int i) { return 15.0 * i; });
  put("web", "node_cpu_seconds_total", {{"cpu", "1"}, {"mode", "iowait"}}, 4,
      [](int i) { return 15.0 * i; });
  put("web", "node_cpu_seconds_total", {{"cpu", "1"}, {"mode", "idle"}}, 4,
      [](int i) { return 30.0 * i; });
  auto series = read(Resource::kCpu);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].capacity, 1.0);
  // The first point has no predecessor to take a rate from.
  EXPECT_THAT(series[0].timestamps_ms, ElementsAre(kMinute, 2 * kMinute, 3 * kMinute));
  EXPECT_THAT(series[0].used, Pointwise(DoubleNear(1e-12), {0.375, 0.375, 0.375}));
}

TEST_F(ResourceSeriesTest, IoAndNetworkAreRatesPerDevice) {
  put("web", "node_disk_io_time_seconds_total", {{"device", "nvme0n1"}}, 3,
      [](int i) { return 42.0 * i; });  // busy 42 s a minute: 70%
  put("web", "node_network_receive_bytes_total", {{"device", "eth0"}}, 3,
      [](int i) { return 6000.0 * i; });
  put("web", "node_network_transmit_bytes_total", {{"device", "eth0"}}, 3,
      [](int i) { return 600.0 * i; });
  put("web", "node_network_receive_bytes_total", {{"device", "lo"}}, 3,
      [](int i) { return 1e9 * i; });  // loopback is not a link
  auto io = read(Resource::kIo);
  ASSERT_EQ(io.size(), 1u);
  EXPECT_THAT(io[0].used, Pointwise(DoubleNear(1e-12), {0.7, 0.7}));
  auto network = read(Resource::kNetwork);
  ASSERT_EQ(network.size(), 1u);
  EXPECT_EQ(network[0].labels, (Labels{{"device", "eth0"}}));
  EXPECT_THAT(network[0].used, Pointwise(DoubleNear(1e-9), {110.0, 110.0}));
  EXPECT_TRUE(network[0].ratio.empty());  // no link speed: no capacity
  EXPECT_EQ(network[0].capacity, 0);
}

TEST_F(ResourceSeriesTest, NetworkCapacityIsTheLinkSpeed) {
  put("web", "node_network_receive_bytes_total", {{"device", "eth0"}}, 3,
      [](int i) { return 6000.0 * i; });  // 100 bytes/s
  put("web", "node_network_speed_bytes", {{"device", "eth0"}}, 3, [](int) { return 400.0; });
  auto network = read(Resource::kNetwork);
  ASSERT_EQ(network.size(), 1u);
  EXPECT_EQ(network[0].capacity, 400);
  EXPECT_THAT(network[0].ratio, Pointwise(DoubleNear(1e-9), {0.25, 0.25}));
}

TEST_F(ResourceSeriesTest, CounterResetsCountTheNewValueAsTheIncrease) {
  const std::vector<int64_t> ts = {0, 1000, 2000, 3000};
  const std::vector<double> values = {100, 110, 4, 9};
  auto increases = counterIncreases(ts, values);
  ASSERT_EQ(increases.size(), 3u);
  EXPECT_EQ(increases[0].increase, 10);
  EXPECT_EQ(increases[1].increase, 4);
  EXPECT_EQ(increases[2].increase, 5);
  EXPECT_EQ(increases[2].seconds, 1.0);
}

TEST_F(ResourceSeriesTest, LongStepsReadRollupsWithTheChosenReduction) {
  // Ten hours of a pier that drops from 190 to 100 at 5 h (a pack): hourly
  // maxima see the peak before it, minima the floor after it.
  const Labels ship = {{"pier", "/srv/zod"}, {"ship", "zod"}};
  auto pier = [](int i) { return i < 300 ? 100.0 + 0.3 * i : 100.0 + 0.3 * (i - 300); };
  put("web", "urbit_ship_pier_bytes", ship, 600, pier);
  ASSERT_EQ(store->compact(), "");  // seals heads so the hourly rollups hold everything
  const int64_t hour = 60 * kMinute;
  auto maxima = read(Resource::kPier, hour, Aggregation::kMax);
  auto minima = read(Resource::kPier, hour, Aggregation::kMin);
  ASSERT_EQ(maxima.size(), 1u);
  ASSERT_EQ(maxima[0].used.size(), 10u);
  EXPECT_EQ(maxima[0].timestamps_ms[5], 5 * hour);
  EXPECT_DOUBLE_EQ(maxima[0].used[4], pier(299));
  EXPECT_DOUBLE_EQ(minima[0].used[5], pier(300));
}

TEST_F(ResourceSeriesTest, FleetTotalsSumTheNewestPoints) {
  put("web", "node_memory_MemTotal_bytes", {}, 2, [](int) { return 8.0; });
  put("web", "node_memory_MemAvailable_bytes", {}, 2, [](int i) { return 6.0 - i; });
  put("db", "node_memory_MemTotal_bytes", {}, 2, [](int) { return 16.0; });
  put("db", "node_memory_MemAvailable_bytes", {}, 2, [](int) { return 4.0; });
  for (const char* name : {"zod", "bus"}) {
    const Labels ship = {{"pier", std::string("/srv/") + name}, {"ship", name}};
    put("web", "urbit_ship_pier_bytes", ship, 2, [](int) { return 1.0; });
  }
  ResourceWindow window;
  auto all = readAllResources(RocksdbHistory(*store), window);
  FleetTotals fleet = fleetTotals(all);
  EXPECT_EQ(fleet.hosts, 2u);
  EXPECT_EQ(fleet.ships, 2u);
  EXPECT_EQ(fleet.totals[Resource::kMemory].capacity, 24.0);
  EXPECT_EQ(fleet.totals[Resource::kMemory].used, 3.0 + 12.0);
  EXPECT_EQ(fleet.totals.count(Resource::kPier), 0u);
  EXPECT_EQ(shipsPerHost(all), (std::map<std::string, uint64_t>{{"web", 2}}));
}

TEST(ResourceNamesTest, RoundTrip) {
  for (Resource resource : kAllResources) {
    EXPECT_EQ(parseResource(resourceName(resource)), resource);
  }
  EXPECT_EQ(parseResource("swap"), std::nullopt);
}

}  // namespace
}  // namespace tidemark::controller::planner
