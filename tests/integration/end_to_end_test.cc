// The whole path with real processes: agent -> Cap'n Proto over ZeroMQ ->
// controller -> RocksDB -> admin socket -> CLI.
#include <gtest/gtest.h>
#include <signal.h>


#include "tests/integration/agent_stop_line.h"
#include "tests/integration/fleet.h"

namespace tidemark::testing {
namespace {

using namespace std::chrono_literals;

TEST(EndToEndTest, HostSamplesReachTheCli) {
  Fleet fleet;
  fleet.startController();
  fleet.startAgent("e2e-host");
  ASSERT_TRUE(eventually([&] { return fleet.querySamples("node_load1", "e2e-host") >= 2; }, 30s))
      << fleet.agent(0).log() << fleet.controller().log();

  const auto hosts = fleet.cli({"hosts"})["hosts"];
  ASSERT_EQ(hosts.size(), 1u);
  EXPECT_EQ(hosts[0]["host"], "e2e-host");
  EXPECT_EQ(hosts[0]["connected"], true);
  EXPECT_GT(hosts[0]["series"].get<uint64_t>(), 50u);
  EXPECT_GT(hosts[0]["samples"].get<uint64_t>(), 100u);
  EXPECT_TRUE(hosts[0]["last_seen"].is_string());

  // CPU by mode, labelled like node_exporter.
  auto cpu = fleet.cli({"query", "node_cpu_seconds_total", "--host", "e2e-host", "--label",
                        "mode=idle", "--since", "5m"})["series"];
  ASSERT_FALSE(cpu.empty());
  for (const auto& series : cpu) {
    EXPECT_EQ(series["labels"]["mode"], "idle");
    EXPECT_TRUE(series["labels"].contains("cpu"));
    EXPECT_GT(series["samples"][0][1].get<double>(), 0.0);
  }
  // The agent reports on itself.
  EXPECT_GT(fleet.querySamples("tidemark_agent_batches_acked_total", "e2e-host"), 0u);

  auto status = fleet.cli({"status"});
  EXPECT_EQ(status["agents_connected"], 1);
  EXPECT_GT(status["samples"].get<uint64_t>(), 100u);
}

TEST(EndToEndTest, FixtureRootGivesExactValues) {
  Fleet fleet;
  fleet.startController();
  fleet.startAgent("fixture-host", {"--root", fixturePath("hosts/basic")});
  ASSERT_TRUE(eventually([&] { return fleet.querySamples("node_load1", "fixture-host") >= 1; }, 30s))
      << fleet.agent(0).log();
  auto series = fleet.cli({"query", "node_load1", "--host", "fixture-host"})["series"];
  ASSERT_EQ(series.size(), 1u);
  // tests/fixtures/hosts/basic/proc/loadavg starts with 0.52.
  EXPECT_DOUBLE_EQ(series[0]["samples"][0][1].get<double>(), 0.52);
}

TEST(EndToEndTest, AgentStopsCleanlyAndFlushes) {
  Fleet fleet;
  fleet.startController();
  fleet.startAgent("stop-host");
  ASSERT_TRUE(eventually([&] { return fleet.storedSamples("stop-host") > 0; }, 30s));
  ASSERT_EQ(fleet.agent(0).stop(SIGTERM, 15s), 0);
  auto counts = parseStopLine(fleet.agent(0).log());
  ASSERT_TRUE(counts) << fleet.agent(0).log();
  EXPECT_GT(counts->collected, 0u);
  EXPECT_EQ(counts->collected, counts->acked);
  EXPECT_EQ(counts->dropped, 0u);
  EXPECT_EQ(fleet.storedSamples("stop-host"), counts->acked);
}

TEST(EndToEndTest, ControllerCrashLosesNothingAndStoresNothingTwice) {
  Fleet fleet;
  fleet.startController();
  fleet.startAgent("crash-host");
  ASSERT_TRUE(eventually([&] { return fleet.storedSamples("crash-host") > 0; }, 30s));

  fleet.killController();
  // The agent keeps collecting into its outbox while the controller is down.
  std::this_thread::sleep_for(3s);
  fleet.startController();
  const uint64_t before = fleet.storedSamples("crash-host");
  ASSERT_TRUE(eventually([&] { return fleet.storedSamples("crash-host") > before; }, 60s))
      << fleet.agent(0).log();

  // Every collected sample is acknowledged and stored exactly once.
  expectEverythingStoredOnce(fleet, fleet.agent(0), "crash-host");
}

TEST(EndToEndTest, TwoAgentsAreTwoHosts) {
  Fleet fleet;
  fleet.startController();
  fleet.startAgent("alpha");
  fleet.startAgent("beta");
  ASSERT_TRUE(eventually(
      [&] { return fleet.storedSamples("alpha") > 0 && fleet.storedSamples("beta") > 0; }, 30s));
  EXPECT_EQ(fleet.cli({"status"})["agents_known"], 2);
  EXPECT_GT(fleet.querySamples("node_load1", "alpha"), 0u);
  EXPECT_GT(fleet.querySamples("node_load1", "beta"), 0u);
}

}  // namespace
}  // namespace tidemark::testing
