// Knob::writtenPaths(): the files each host knob writes, under its root, which the
// sandbox plan grants.
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "agent/tuner/ship_job_knob.h"
#include "agent/tuner/ship_loom_knob.h"
#include "tests/unit/agent/tuner/host_fixture.h"

namespace tidemark::agent::tuner {
namespace {

using testing::hostKnobs;
using testing::TempDir;
using testing::writeHostTree;
using Paths = std::vector<std::string>;

std::map<std::string, Paths> writtenPathsById(const TempDir& root) {
  TunerOptions options;
  options.root = root.str();
  std::map<std::string, Paths> paths;
  for (const auto& knob : hostKnobs(options)) paths[knob->id()] = knob->writtenPaths();
  return paths;
}

TEST(KnobWrittenPaths, FileKnobsNameTheirFilesUnderTheRoot) {
  TempDir root;
  writeHostTree(root);
  const std::string r = root.str();
  auto paths = writtenPathsById(root);
  EXPECT_EQ(paths["vm.swappiness"], Paths{r + "/proc/sys/vm/swappiness"});
  EXPECT_EQ(paths["net.core.somaxconn"], Paths{r + "/proc/sys/net/core/somaxconn"});
  // The congestion control's list of choices is only read.
  EXPECT_EQ(paths["net.ipv4.tcp_congestion_control"],
            Paths{r + "/proc/sys/net/ipv4/tcp_congestion_control"});
  EXPECT_EQ(paths["block.scheduler:sda"], Paths{r + "/sys/block/sda/queue/scheduler"});
  EXPECT_EQ(paths["block.read_ahead_kb:nvme0n1"],
            Paths{r + "/sys/block/nvme0n1/queue/read_ahead_kb"});
  EXPECT_EQ(paths["thp.enabled"], Paths{r + "/sys/kernel/mm/transparent_hugepage/enabled"});
  EXPECT_EQ(paths["thp.defrag"], Paths{r + "/sys/kernel/mm/transparent_hugepage/defrag"});
}

TEST(KnobWrittenPaths, DirtyPairsNameBothHalves) {
  TempDir root;
  writeHostTree(root);
  const std::string r = root.str();
  auto paths = writtenPathsById(root);
  EXPECT_EQ(paths["vm.dirty_ratio"],
            (Paths{r + "/proc/sys/vm/dirty_ratio", r + "/proc/sys/vm/dirty_bytes"}));
  EXPECT_EQ(paths["vm.dirty_background_ratio"], (Paths{r + "/proc/sys/vm/dirty_background_ratio",
                                                       r + "/proc/sys/vm/dirty_background_bytes"}));
}

TEST(KnobWrittenPaths, InProductionThePathsAreTheHostsOwn) {
  TunerOptions options;  // root "/": nothing is read until probe()
  std::map<std::string, Paths> paths;
  for (const auto& knob : hostKnobs(options)) paths[knob->id()] = knob->writtenPaths();
  EXPECT_EQ(paths["vm.swappiness"], Paths{"/proc/sys/vm/swappiness"});
  EXPECT_EQ(paths["vm.dirty_ratio"], (Paths{"/proc/sys/vm/dirty_ratio", "/proc/sys/vm/dirty_bytes"}));
}

TEST(KnobWrittenPaths, RemountsAndShipJobsWriteNoFileTheLoomItsServiceConfig) {
  TempDir root;
  writeHostTree(root);
  auto paths = writtenPathsById(root);
  ASSERT_TRUE(paths.contains("mount.atime:/srv/piers"));
  EXPECT_EQ(paths["mount.atime:/srv/piers"], Paths{});

  auto options = std::make_shared<ShipTuningOptions>();
  options->root = root.str();
  ShipTarget target;
  target.name = "zod";
  target.ship.pier = "/srv/piers/zod";
  EXPECT_EQ(ShipLoomKnob(options, target).writtenPaths(),
            Paths{root.str() + "/etc/default/urbit-zod"});
  EXPECT_EQ(ShipJobKnob(options, target, ShipJob::kPack).writtenPaths(), Paths{});
}

}  // namespace
}  // namespace tidemark::agent::tuner
