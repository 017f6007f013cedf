// observeHost reads the store's newest values and counter rates; the service's
// recommender acts on them.
#include "controller/tuning/host_observations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "controller/history/rocksdb_history.h"
#include "tests/unit/controller/tuning/tuning_service_fixture.h"

namespace tidemark::controller {
namespace {

using ::testing::SizeIs;

class HostObservationsTest : public TuningServiceFixture {
 protected:
  static wire::KnobStateData knob(std::string id, std::string value) {
    wire::KnobStateData state;
    state.knob = std::move(id);
    state.value = std::move(value);
    state.available = true;
    return state;
  }

  void write(const std::string& host, const std::string& metric, Labels labels, int64_t ago_ms,
             double value) {
    WriteSet writes = store->beginWrite();
    const uint64_t id = store->resolveSeries(writes, host, metric, labels);
    store->appendSample(writes, id, clock.wallMs() - ago_ms, value);
    ASSERT_EQ(store->commit(writes), "");
  }

  // eth0 receiving 50 MB/s on a gigabit link; ship zod with a loom 90% used.
  void populate() {
    const Labels eth0 = {{"device", "eth0"}};
    for (int minute = 8; minute >= 0; --minute) {
      write("a", "node_network_receive_bytes_total", eth0, minute * 60'000,
            (8 - minute) * 60 * 50e6);
    }
    write("a", "node_network_speed_bytes", eth0, 60'000, 125e6);
    const Labels zod = {{"pier", "/srv/piers/zod"}, {"ship", "zod"}};
    write("a", "urbit_ship_loom_use_ratio", zod, 30'000, 0.9);
    write("a", "urbit_ship_seconds_since_pack", zod, 30'000, 3600);
    write("a", "node_memory_MemAvailable_bytes", {}, 30'000, 4e9);
  }
};

TEST_F(HostObservationsTest, NewestValuesAndRates) {
  populate();
  const HostObservations observed = observeHost(RocksdbHistory(*store), "a", clock.wallMs());
  ASSERT_THAT(observed.ships, SizeIs(1));
  EXPECT_EQ(observed.ships[0].ship, "zod");
  EXPECT_EQ(observed.ships[0].pier, "/srv/piers/zod");
  EXPECT_EQ(observed.ships[0].loom_use_ratio, 0.9);
  EXPECT_FALSE(observed.ships[0].seconds_since_meld.has_value());
  EXPECT_EQ(observed.mem_available_bytes, 4e9);
  EXPECT_FALSE(observed.swap_free_bytes.has_value());
  ASSERT_THAT(observed.interfaces, SizeIs(1));
  EXPECT_NEAR(observed.interfaces[0].receive_bytes_per_second, 50e6, 1);
  EXPECT_EQ(observed.interfaces[0].speed_bytes_per_second, 125e6);
  EXPECT_TRUE(observeHost(RocksdbHistory(*store), "b", clock.wallMs()).ships.empty());
}

TEST_F(HostObservationsTest, TheRecommenderUsesTheStore) {
  populate();
  report("a", {knob("net.core.rmem_max", "212992"), knob("ship.loom:zod", "31"),
               knob("mount.atime:/srv", "relatime")});
  std::map<std::string, std::string> proposed;
  for (const auto& proposal : service->list({})) proposed[proposal.knob] = proposal.value;
  EXPECT_EQ(proposed["net.core.rmem_max"], "16777216");
  EXPECT_EQ(proposed["ship.loom:zod"], "32");
  EXPECT_EQ(proposed["mount.atime:/srv"], "noatime");
  EXPECT_EQ(proposed["vm.swappiness"], "10");
  EXPECT_EQ(proposed.size(), 4u);
}

}  // namespace
}  // namespace tidemark::controller
