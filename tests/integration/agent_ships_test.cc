// The agent finds stand-in Urbit ships on this host and their series reach the CLI.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/integration/fleet.h"
#include "tests/support/standin_ship.h"

namespace tidemark::testing {
namespace {

using namespace std::chrono_literals;

// The newest value of `metric` for `host` whose labels match, or -1.
double newest(Fleet& fleet, const std::string& metric, const std::string& host,
              const std::vector<std::string>& labels) {
  std::vector<std::string> args = {"query", metric, "--host", host, "--last"};
  for (const auto& label : labels) args.insert(args.end(), {"--label", label});
  const auto series = fleet.cli(args)["series"];
  if (series.size() != 1 || series[0]["samples"].empty()) return -1;
  return series[0]["samples"].back()[1].get<double>();
}

TEST(AgentShipsTest, RunningAndStoppedShipsFromTheAgent) {
  Fleet fleet;
  const std::string piers = std::filesystem::canonical(fleet.dir().path()).string() + "/piers";
  makeStandinPier(piers + "/sampel-palnet", {.epochs = 2, .image_bytes = 1 << 20});
  makeStandinPier(piers + "/stopped-ship");
  StandinShip ship(fleet.dir().str() + "/bin", piers + "/sampel-palnet", {"--loom", "32"});
  const std::string ship_log = fleet.dir().str() + "/sampel.log";
  { std::ofstream(ship_log) << "bail: meme\nbail: meme\n"; }
  const std::string config = fleet.dir().str() + "/agent.toml";
  {
    std::ofstream out(config);
    out << "pier_roots = [\"" << piers
        << "\"]\npier_walk_interval = \"1m\"\n[ship_logs]\n\"sampel-palnet\" = \"" << ship_log
        << "\"\n";
  }
  fleet.startController();
  fleet.startAgent("ship-host", {"--config", config});

  const std::string running = "pier=" + piers + "/sampel-palnet";
  ASSERT_TRUE(
      eventually([&] { return newest(fleet, "urbit_ship_up", "ship-host", {running}) == 1; }, 30s))
      << fleet.agent(0).log();
  EXPECT_EQ(newest(fleet, "urbit_ship_up", "ship-host", {"pier=" + piers + "/stopped-ship"}), 0);
  EXPECT_EQ(newest(fleet, "urbit_ship_loom_bytes", "ship-host", {running}), 4294967296.0);
  EXPECT_EQ(newest(fleet, "urbit_ship_event_log_epochs", "ship-host", {running}), 2);
  EXPECT_EQ(newest(fleet, "urbit_ship_memory_failures_total", "ship-host", {running, "kind=meme"}),
            2);

  ASSERT_EQ(ship.stop(), 0);
  EXPECT_TRUE(
      eventually([&] { return newest(fleet, "urbit_ship_up", "ship-host", {running}) == 0; }, 30s))
      << fleet.agent(0).log();
}

}  // namespace
}  // namespace tidemark::testing
