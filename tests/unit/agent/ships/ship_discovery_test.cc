#include "agent/ships/ship_discovery.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "agent/io/plain_file_reader.h"
#include "agent/io/plain_read_batch.h"
#include "tests/support/standin_ship.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent {
namespace {

using ::testing::HasSubstr;
using tidemark::testing::makeStandinPier;
using tidemark::testing::StandinShip;
using tidemark::testing::TempDir;

// Discovery over the real /proc: other tests' ships may run on this machine too, so
// every assertion looks for this test's own piers by path.
class ShipDiscoveryTest : public ::testing::Test {
 protected:
  ShipDiscoveryTest()
      : piers(std::filesystem::canonical(dir.path()).string() + "/piers"),
        bin(dir.str() + "/bin"),
        reader(""),
        batch(""),
        log(clock) {
    std::filesystem::create_directories(piers);
  }

  std::vector<DiscoveredShip> scan(std::vector<std::string> roots = {}) {
    ShipDiscovery discovery(reader, batch, log, std::move(roots));
    return discovery.scan();
  }

  static const DiscoveredShip* find(const std::vector<DiscoveredShip>& ships,
                                    const std::string& pier) {
    for (const auto& ship : ships)
      if (ship.pier == pier) return &ship;
    return nullptr;
  }

  TempDir dir;
  std::string piers;
  std::string bin;
  PlainFileReader reader;
  PlainReadBatch batch;
  ManualClock clock;
  ThrottledLog log;
};

TEST_F(ShipDiscoveryTest, FindsKingAndSerfWithLoom) {
  const std::string pier = piers + "/sampel-palnet";
  makeStandinPier(pier);
  StandinShip ship(bin, pier, {"--loom", "33", "-t"});
  const auto ships = scan();
  const DiscoveredShip* found = find(ships, pier);
  ASSERT_NE(found, nullptr);
  ASSERT_TRUE(found->king);
  EXPECT_EQ(found->king->pid, ship.kingPid());
  EXPECT_GT(found->king->start_ticks, 0u);
  ASSERT_TRUE(found->serf);
  EXPECT_EQ(found->serf->pid, ship.serfPid());
  EXPECT_EQ(found->loom_bits, 33);
}

TEST_F(ShipDiscoveryTest, RelativePierIsResolvedAgainstTheProcessCwd) {
  makeStandinPier(piers + "/zod");
  StandinShip ship(bin, "zod", {}, piers);
  const DiscoveredShip* found = find(scan(), piers + "/zod");
  ASSERT_NE(found, nullptr);
  ASSERT_TRUE(found->king);
  EXPECT_EQ(found->king->pid, ship.kingPid());
  EXPECT_EQ(found->loom_bits, 31);  // the serf always carries --loom; the stand-in passes 31
}

TEST_F(ShipDiscoveryTest, OldStyleSerfWithoutLoom) {
  makeStandinPier(piers + "/nec", {.old_style = true});
  StandinShip ship(bin, piers + "/nec", {"--old-style-serf"});
  const DiscoveredShip* found = find(scan(), piers + "/nec");
  ASSERT_NE(found, nullptr);
  ASSERT_TRUE(found->serf);
  EXPECT_EQ(found->serf->pid, ship.serfPid());
  EXPECT_FALSE(found->loom_bits);
}

TEST_F(ShipDiscoveryTest, LockNamingAnotherPidIsLoggedAndTheProcessWins) {
  const std::string pier = piers + "/bus";
  makeStandinPier(pier);
  StandinShip ship(bin, pier);
  { std::ofstream(pier + "/.vere.lock", std::ios::trunc) << "1\n"; }
  tidemark::testing::LogCapture capture;
  const DiscoveredShip* found = find(scan(), pier);
  ASSERT_NE(found, nullptr);
  ASSERT_TRUE(found->king);
  EXPECT_EQ(found->king->pid, ship.kingPid());
  EXPECT_EQ(capture.count("names PID 1 "), 1u) << capture.text();
}

TEST_F(ShipDiscoveryTest, GarbageLockNeverCrashes) {
  const std::string pier = piers + "/wes";
  makeStandinPier(pier);
  StandinShip ship(bin, pier);
  {
    std::ofstream(pier + "/.vere.lock", std::ios::trunc | std::ios::binary)
        << std::string("\xff\0zz", 4);
  }
  tidemark::testing::LogCapture capture;
  const DiscoveredShip* found = find(scan(), pier);
  ASSERT_NE(found, nullptr);
  EXPECT_TRUE(found->king);
  EXPECT_THAT(capture.text(), HasSubstr("not a PID"));
}

TEST_F(ShipDiscoveryTest, UnrecognisedBinaryHoldingTheLockIsAdopted) {
  const std::string pier = piers + "/lur";
  makeStandinPier(pier);
  // Not named urbit: only the held lock tells it runs the pier.
  StandinShip ship(bin, pier, {}, "", "vere-custom");
  const DiscoveredShip* found = find(scan({piers}), pier);
  ASSERT_NE(found, nullptr);
  ASSERT_TRUE(found->king);
  EXPECT_EQ(found->king->pid, ship.kingPid());
}

TEST_F(ShipDiscoveryTest, PierRootsReportPiersWithoutProcesses) {
  makeStandinPier(piers + "/running");
  makeStandinPier(piers + "/stopped");
  std::filesystem::create_directories(piers + "/not-a-pier/sub");
  { std::ofstream(piers + "/a-file") << "x"; }
  std::filesystem::create_directories(piers + "/fake");
  { std::ofstream(piers + "/fake/.urb", std::ios::trunc); }  // .urb as a file: not a pier
  StandinShip ship(bin, piers + "/running");
  const auto ships = scan({piers + "/"});
  ASSERT_NE(find(ships, piers + "/running"), nullptr);
  EXPECT_TRUE(find(ships, piers + "/running")->king);
  ASSERT_NE(find(ships, piers + "/stopped"), nullptr);
  EXPECT_FALSE(find(ships, piers + "/stopped")->king);
  EXPECT_EQ(find(ships, piers + "/not-a-pier"), nullptr);
  EXPECT_EQ(find(ships, piers + "/a-file"), nullptr);
  EXPECT_EQ(find(ships, piers + "/fake"), nullptr);
}

TEST_F(ShipDiscoveryTest, StoppedShipLosesItsProcesses) {
  const std::string pier = piers + "/marzod";
  makeStandinPier(pier);
  StandinShip ship(bin, pier);
  ASSERT_TRUE(find(scan({piers}), pier)->king);
  EXPECT_EQ(ship.stop(), 0);
  EXPECT_FALSE(std::filesystem::exists(pier + "/.http.ports"));
  const DiscoveredShip* found = find(scan({piers}), pier);
  ASSERT_NE(found, nullptr);
  EXPECT_FALSE(found->king);
  EXPECT_FALSE(found->serf);
  EXPECT_EQ(find(scan(), pier), nullptr);  // without the pier root nothing names it
}

TEST_F(ShipDiscoveryTest, UnreadablePierRootIsSkipped) {
  tidemark::testing::LogCapture capture;
  const auto ships = scan({dir.str() + "/missing-root"});
  EXPECT_THAT(capture.text(), HasSubstr("cannot list pier root"));
  for (const auto& ship : ships) EXPECT_FALSE(ship.pier.starts_with(dir.str()));
}

TEST_F(ShipDiscoveryTest, HundredPiersUnderARoot) {
  for (int i = 0; i < 100; ++i)
    std::filesystem::create_directories(piers + "/ship-" + std::to_string(i) + "/.urb/log");
  const auto ships = scan({piers});
  size_t mine = 0;
  for (const auto& ship : ships) mine += ship.pier.starts_with(piers + "/ship-");
  EXPECT_EQ(mine, 100u);
}

TEST(ResolvePierPathTest, JoinsNormalisesAndKeepsMissingPathsLexical) {
  EXPECT_EQ(resolvePierPath("", "/nonexistent/a", "../b/./zod/"), "/nonexistent/b/zod");
  EXPECT_EQ(resolvePierPath("", "/x", "/nonexistent/zod"), "/nonexistent/zod");
  TempDir temp;
  const std::filesystem::path dir = std::filesystem::canonical(temp.path());
  std::filesystem::create_directories(dir / "real" / "zod");
  std::filesystem::create_directory_symlink(dir / "real", dir / "link");
  EXPECT_EQ(resolvePierPath("", dir.string(), "link/zod"), (dir / "real" / "zod").string());
  // Under a fixture root the host view is kept.
  EXPECT_EQ(resolvePierPath(dir.string(), "/", "/real/zod"), "/real/zod");
}

}  // namespace
}  // namespace tidemark::agent
