#include "controller/admin/ship_status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "controller/history/rocksdb_history.h"
#include "controller/ingest/batch_ingester.h"
#include "tests/support/test_support.h"

namespace tidemark::controller {
namespace {

using tidemark::testing::TempDir;

constexpr int64_t kNow = 1'700'000'000'000;

SeriesResult series(const std::string& host, const std::string& ship,
                    std::vector<int64_t> timestamps_ms, std::vector<double> values) {
  SeriesResult result;
  result.host = host;
  result.metric = "urbit_ship_x";
  result.labels = {{"pier", "/piers/" + ship}, {"ship", ship}};
  result.timestamps_ms = std::move(timestamps_ms);
  result.values = std::move(values);
  return result;
}

int64_t fixedBound(const std::string&) { return 30'000; }

TEST(ShipStaleAfterTest, ThreeIntervalsPlusSlackAtLeastThirtySecondsElseFiveMinutes) {
  EXPECT_EQ(shipStaleAfterMs(10'000), 35'000);
  EXPECT_EQ(shipStaleAfterMs(60'000), 185'000);
  EXPECT_EQ(shipStaleAfterMs(1'000), 30'000);
  EXPECT_EQ(shipStaleAfterMs(0), 300'000);
}

TEST(JoinShipSeriesTest, JoinsEveryMetricOfAShipIntoOneRow) {
  ShipSeries input;
  input.up = {series("web1", "zod", {kNow - 1'000}, {1})};
  input.pier_bytes = {series("web1", "zod", {kNow - 1'000}, {5e9})};
  input.loom_bytes = {series("web1", "zod", {kNow - 1'000}, {2147483648.0})};
  input.loom_use_ratio = {series("web1", "zod", {kNow - 1'000}, {0.25})};
  input.rss_bytes = {series("web1", "zod", {kNow - 1'000}, {3e8})};
  input.cpu_seconds = {series("web1", "zod", {kNow - 1'000}, {120.5})};
  input.cpu_recent = {series("web1", "zod", {kNow - 11'000, kNow - 1'000}, {118.0, 120.5})};
  input.seconds_since_pack = {series("web1", "zod", {kNow - 1'000}, {86'400.5})};

  auto ships = joinShipSeries(input, kNow, fixedBound);
  ASSERT_EQ(ships.size(), 1u);
  const ShipStatus& zod = ships[0];
  EXPECT_EQ(zod.host, "web1");
  EXPECT_EQ(zod.ship, "zod");
  EXPECT_EQ(zod.pier, "/piers/zod");
  EXPECT_TRUE(zod.up);
  EXPECT_EQ(zod.up_sample_ms, kNow - 1'000);
  EXPECT_EQ(zod.stale_after_ms, 30'000);
  EXPECT_EQ(zod.pier_bytes, 5e9);
  EXPECT_EQ(zod.loom_bytes, 2147483648.0);
  EXPECT_EQ(zod.loom_use_ratio, 0.25);
  EXPECT_EQ(zod.rss_bytes, 3e8);
  EXPECT_EQ(zod.cpu_seconds, 120.5);
  EXPECT_EQ(zod.cpu_ratio, 0.25);  // 2.5 CPU seconds in 10 s
  EXPECT_EQ(zod.last_pack_ms, kNow - 1'000 - 86'400'500);
}

TEST(JoinShipSeriesTest, RowsAreSortedByHostShipPierWhateverTheInputOrder) {
  ShipSeries input;
  input.up = {series("web2", "bus", {kNow}, {1}), series("web1", "zod", {kNow}, {1}),
              series("web1", "nec", {kNow}, {1})};
  // A ship seen only through another metric still gets a row (down: no up sample).
  input.rss_bytes = {series("web0", "wet", {kNow}, {1})};
  auto ships = joinShipSeries(input, kNow, fixedBound);
  ASSERT_EQ(ships.size(), 4u);
  EXPECT_EQ(ships[0].host + "/" + ships[0].ship, "web0/wet");
  EXPECT_FALSE(ships[0].up);
  EXPECT_EQ(ships[0].up_sample_ms, 0);
  EXPECT_EQ(ships[0].stale_after_ms, 30'000);
  EXPECT_EQ(ships[1].host + "/" + ships[1].ship, "web1/nec");
  EXPECT_EQ(ships[2].host + "/" + ships[2].ship, "web1/zod");
  EXPECT_EQ(ships[3].host + "/" + ships[3].ship, "web2/bus");
}

TEST(JoinShipSeriesTest, TheSameShipNameInTwoPiersOrOnTwoHostsIsTwoRows) {
  ShipSeries input;
  SeriesResult other_pier = series("web1", "zod", {kNow}, {1});
  other_pier.labels = {{"pier", "/old/zod"}, {"ship", "zod"}};
  input.up = {series("web1", "zod", {kNow}, {1}), other_pier, series("web2", "zod", {kNow}, {0})};
  auto ships = joinShipSeries(input, kNow, fixedBound);
  ASSERT_EQ(ships.size(), 3u);
  EXPECT_EQ(ships[0].pier, "/old/zod");
  EXPECT_EQ(ships[1].pier, "/piers/zod");
  EXPECT_EQ(ships[2].host, "web2");
  EXPECT_FALSE(ships[2].up);
}

TEST(JoinShipSeriesTest, AStaleUpSampleMeansDownWithTheHostsOwnBound) {
  ShipSeries input;
  input.up = {series("fast", "zod", {kNow - 31'000}, {1}),
              series("slow", "zod", {kNow - 31'000}, {1}),
              series("fast", "nec", {kNow - 30'000}, {1}),
              series("fast", "bus", {kNow + 60'000}, {1})};  // clock skew: fresh
  input.cpu_recent = {series("fast", "zod", {kNow - 41'000, kNow - 31'000}, {1, 2})};
  auto ships = joinShipSeries(input, kNow, [](const std::string& host) {
    return host == "fast" ? int64_t{30'000} : int64_t{300'000};
  });
  ASSERT_EQ(ships.size(), 4u);
  EXPECT_EQ(ships[0].ship, "bus");
  EXPECT_TRUE(ships[0].up);
  EXPECT_EQ(ships[1].ship, "nec");
  EXPECT_TRUE(ships[1].up);  // exactly at the bound
  EXPECT_EQ(ships[2].ship, "zod");
  EXPECT_FALSE(ships[2].up);
  EXPECT_FALSE(ships[2].cpu_ratio.has_value());  // no rate for a ship that is down
  EXPECT_EQ(ships[3].host, "slow");
  EXPECT_TRUE(ships[3].up);
  EXPECT_EQ(ships[3].stale_after_ms, 300'000);
}

TEST(JoinShipSeriesTest, UnknownsStayUnsetAndBadValuesAreSkipped) {
  ShipSeries input;
  input.up = {series("web1", "zod", {kNow}, {1}), series("web1", "nec", {kNow}, {1})};
  input.cpu_recent = {series("web1", "zod", {kNow - 10'000}, {5}),              // one sample
                      series("web1", "nec", {kNow - 10'000, kNow}, {500, 3})};  // counter reset
  input.seconds_since_pack = {series("web1", "nec", {kNow}, {-5})};
  SeriesResult no_ship = series("web1", "zod", {kNow}, {1});
  no_ship.labels = {{"pier", "/piers/zod"}};
  input.rss_bytes = {no_ship};
  auto ships = joinShipSeries(input, kNow, fixedBound);
  ASSERT_EQ(ships.size(), 2u);
  for (const auto& ship : ships) {
    EXPECT_TRUE(ship.up) << ship.ship;
    EXPECT_FALSE(ship.cpu_ratio) << ship.ship;
    EXPECT_FALSE(ship.last_pack_ms) << ship.ship;
    EXPECT_FALSE(ship.rss_bytes) << ship.ship;
    EXPECT_FALSE(ship.pier_bytes) << ship.ship;
  }
}

// The store feeds the join: newest values, the CPU rate from the newest two samples,
// the bound from the host's agent interval, and the host filter.
TEST(ReadShipStatusesTest, ReadsNewestSamplesFromTheStore) {
  TempDir dir;
  StoreOptions options;
  options.path = (dir.path() / "db").string();
  options.sync_writes = false;
  options.raw_retention_ms = 0;
  auto store = SampleStore::open(options);
  {
    WriteSet writes = store->beginWrite();
    BatchIngester ingester(*store, IngestLimits{});
    wire::HelloData hello;
    hello.host_id = "web1";
    hello.agent_version = "1.0";
    hello.epoch = 1;
    hello.interval_ms = 10'000;
    ingester.hello(writes, hello, kNow);
    const Labels zod{{"pier", "/piers/zod"}, {"ship", "zod"}};
    auto add = [&](const std::string& host, const char* metric, std::vector<int64_t> ts,
                   std::vector<double> vs) {
      uint64_t id = store->resolveSeries(writes, host, metric, zod);
      store->appendSamples(writes, id, ts, vs);
    };
    add("web1", "urbit_ship_up", {kNow - 20'000, kNow - 10'000}, {0, 1});
    add("web1", "urbit_ship_rss_bytes", {kNow - 20'000, kNow - 10'000}, {100, 200});
    add("web1", "urbit_ship_cpu_seconds_total", {kNow - 30'000, kNow - 20'000, kNow - 10'000},
        {1, 2, 6});
    add("web1", "urbit_ship_seconds_since_pack", {kNow - 10'000}, {60});
    // An imported host without an agent: 5 minutes of grace.
    add("import", "urbit_ship_up", {kNow - 200'000}, {1});
    ASSERT_EQ(store->commit(writes), "");
  }
  auto ships = readShipStatuses(RocksdbHistory(*store), "", kNow);
  ASSERT_EQ(ships.size(), 2u);
  EXPECT_EQ(ships[0].host, "import");
  EXPECT_TRUE(ships[0].up);
  EXPECT_EQ(ships[0].stale_after_ms, 300'000);
  const ShipStatus& web = ships[1];
  EXPECT_EQ(web.host, "web1");
  EXPECT_TRUE(web.up);
  EXPECT_EQ(web.stale_after_ms, 35'000);
  EXPECT_EQ(web.rss_bytes, 200);
  EXPECT_EQ(web.cpu_seconds, 6);
  EXPECT_EQ(web.cpu_ratio, 0.4);
  EXPECT_EQ(web.last_pack_ms, kNow - 70'000);

  auto only_web = readShipStatuses(RocksdbHistory(*store), "web1", kNow);
  ASSERT_EQ(only_web.size(), 1u);
  EXPECT_EQ(only_web[0].host, "web1");
  // 46 s later web1's newest up sample is past 3 intervals + 5 s.
  EXPECT_FALSE(readShipStatuses(RocksdbHistory(*store), "web1", kNow + 36'000)[0].up);
}

}  // namespace
}  // namespace tidemark::controller
