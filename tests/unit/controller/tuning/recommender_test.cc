// Each recommender rule with a case that proposes and one that does not.
#include "controller/tuning/recommender.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tidemark::controller {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

wire::KnobStateData knob(std::string id, std::string value,
                         std::vector<std::pair<std::string, std::string>> facts = {},
                         std::vector<std::string> choices = {}) {
  wire::KnobStateData state;
  state.knob = std::move(id);
  state.value = std::move(value);
  state.available = true;
  state.facts = std::move(facts);
  state.choices = std::move(choices);
  return state;
}

std::vector<Recommendation> run(std::vector<wire::KnobStateData> knobs,
                                const HostObservations& observed = {}) {
  wire::KnobReportData report;
  report.host_id = "web1";
  report.knobs = std::move(knobs);
  return recommend(report, observed);
}

ShipObservation ship(std::string name, std::string pier) {
  ShipObservation observed;
  observed.ship = std::move(name);
  observed.pier = std::move(pier);
  observed.seconds_since_pack = 3600;  // packed recently: no pack proposal in the way
  return observed;
}

TEST(RecommenderTest, NvmeSchedulerGoesToNone) {
  auto out =
      run({knob("block.scheduler:nvme0n1", "mq-deadline",
                {{"rotational", "0"}, {"transport", "nvme"}}, {"none", "mq-deadline", "kyber"})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].knob, "block.scheduler:nvme0n1");
  EXPECT_EQ(out[0].value, "none");
  EXPECT_EQ(out[0].current, "mq-deadline");
  EXPECT_THAT(out[0].evidence, Contains(HasSubstr("transport=nvme")));

  EXPECT_THAT(run({knob("block.scheduler:nvme0n1", "none", {{"transport", "nvme"}})}), IsEmpty());
  EXPECT_THAT(run({knob("block.scheduler:vda", "mq-deadline",
                        {{"rotational", "0"}, {"transport", "virtio"}})}),
              IsEmpty());
}

TEST(RecommenderTest, RotatingDiskGetsMqDeadlineUnlessBfq) {
  auto out =
      run({knob("block.scheduler:sda", "none", {{"rotational", "1"}, {"transport", "scsi"}})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value, "mq-deadline");
  EXPECT_THAT(run({knob("block.scheduler:sda", "bfq", {{"rotational", "1"}})}), IsEmpty());
  EXPECT_THAT(run({knob("block.scheduler:sda", "mq-deadline", {{"rotational", "1"}})}), IsEmpty());
}

TEST(RecommenderTest, NoatimeOnTheLongestMountHoldingPiers) {
  HostObservations observed;
  observed.ships = {ship("zod", "/srv/piers/zod")};
  auto out =
      run({knob("mount.atime:/", "relatime", {{"fstype", "ext4"}}),
           knob("mount.atime:/srv", "relatime", {{"fstype", "xfs"}, {"device", "/dev/sdb1"}}),
           knob("mount.atime:/srv/piersx", "relatime")},
          observed);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].knob, "mount.atime:/srv");
  EXPECT_EQ(out[0].value, "noatime");
  EXPECT_THAT(out[0].evidence, Contains(HasSubstr("ship zod has its pier at /srv/piers/zod")));

  // Already noatime; and a host without ships has no pier filesystem.
  EXPECT_THAT(run({knob("mount.atime:/srv", "noatime")}, observed), IsEmpty());
  EXPECT_THAT(run({knob("mount.atime:/srv", "relatime")}), IsEmpty());
}

TEST(RecommenderTest, SwappinessAboveTen) {
  auto out = run({knob("vm.swappiness", "60")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value, "10");
  EXPECT_THAT(out[0].evidence, Contains("vm.swappiness = 60"));
  EXPECT_THAT(run({knob("vm.swappiness", "10")}), IsEmpty());
  EXPECT_THAT(run({knob("vm.swappiness", "1")}), IsEmpty());
}

TEST(RecommenderTest, TransparentHugePagesAlwaysGoToMadvise) {
  auto out = run({knob("thp.enabled", "always"), knob("thp.defrag", "always")});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].value, "madvise");
  EXPECT_EQ(out[1].knob, "thp.defrag");
  EXPECT_THAT(run({knob("thp.enabled", "madvise"), knob("thp.defrag", "never")}), IsEmpty());
}

TEST(RecommenderTest, BbrWhenAvailable) {
  auto out = run({knob("net.ipv4.tcp_congestion_control", "cubic", {}, {"reno", "cubic", "bbr"})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value, "bbr");
  EXPECT_THAT(run({knob("net.ipv4.tcp_congestion_control", "cubic", {}, {"reno", "cubic"})}),
              IsEmpty());
}

TEST(RecommenderTest, LargerSocketBuffersOnlyOnABusyInterface) {
  HostObservations busy;
  busy.interfaces.push_back({"eth0", 50e6, 1e6, 125e6});  // 40% of a gigabit link
  auto out = run({knob("net.core.rmem_max", "212992"), knob("net.core.wmem_max", "212992")}, busy);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].value, "16777216");
  EXPECT_THAT(out[0].evidence, Contains(HasSubstr("eth0: receive 50000000 B/s")));

  HostObservations quiet;
  quiet.interfaces.push_back({"eth0", 1e6, 1e6, 125e6});
  EXPECT_THAT(run({knob("net.core.rmem_max", "212992")}, quiet), IsEmpty());
  // Over 10 MB/s is busy whatever the link speed.
  HostObservations fast;
  fast.interfaces.push_back({"eth0", 1e6, 20e6, std::nullopt});
  EXPECT_EQ(run({knob("net.core.wmem_max", "212992")}, fast).size(), 1u);
  EXPECT_THAT(run({knob("net.core.wmem_max", "16777216")}, fast), IsEmpty());
}

TEST(RecommenderTest, MaxMapCountCoversTwiceWhatTheShipsNeed) {
  HostObservations observed;
  observed.ships = {ship("zod", "/srv/zod"), ship("nec", "/srv/nec")};
  observed.ships[0].serf_map_count = 150'000;
  auto out = run({knob("vm.max_map_count", "65530")}, observed);
  ASSERT_EQ(out.size(), 1u);
  // 150000 counted + 65530 assumed = 215530; twice that is 431060 -> 524288.
  EXPECT_EQ(out[0].value, "524288");
  EXPECT_THAT(out[0].evidence, Contains(HasSubstr("urbit_ship_serf_map_count = 150000")));
  EXPECT_THAT(out[0].evidence, Contains(HasSubstr("ship nec: no serf map count")));

  HostObservations small;
  small.ships = {ship("zod", "/srv/zod")};
  small.ships[0].serf_map_count = 1000;
  EXPECT_THAT(run({knob("vm.max_map_count", "65530")}, small), IsEmpty());
  EXPECT_THAT(run({knob("vm.max_map_count", "65530")}), IsEmpty());  // no ships
}

TEST(RecommenderTest, PackAfterSevenDaysOrWhenUnknown) {
  HostObservations observed;
  observed.ships = {ship("zod", "/srv/zod"), ship("nec", "/srv/nec"), ship("bus", "/srv/bus")};
  observed.ships[0].seconds_since_pack = 8 * 86400.0;
  observed.ships[2].seconds_since_pack.reset();
  auto out = run({knob("ship.pack:zod", ""), knob("ship.pack:nec", ""), knob("ship.pack:bus", "")},
                 observed);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].knob, "ship.pack:zod");
  EXPECT_EQ(out[0].value, "run");
  EXPECT_THAT(out[0].evidence, Contains(HasSubstr("8.0 days")));
  EXPECT_EQ(out[1].knob, "ship.pack:bus");
  EXPECT_THAT(out[1].evidence, Contains(HasSubstr("no pack on record")));
}

TEST(RecommenderTest, MeldMonthlyWhenMemoryCoversTheLoom) {
  HostObservations observed;
  observed.ships = {ship("zod", "/srv/zod")};
  observed.ships[0].seconds_since_meld = 40 * 86400.0;
  observed.ships[0].loom_bytes = 2147483648.0;
  observed.mem_available_bytes = 1.5e9;
  observed.swap_free_bytes = 1e9;
  auto out = run({knob("ship.meld:zod", "")}, observed);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value, "run");
  EXPECT_THAT(out[0].evidence, Contains(HasSubstr(">= urbit_ship_loom_bytes 2147483648")));

  observed.swap_free_bytes = 0;  // 1.5 GB free < 2 GiB loom
  EXPECT_THAT(run({knob("ship.meld:zod", "")}, observed), IsEmpty());
  observed.swap_free_bytes = 1e9;
  observed.ships[0].seconds_since_meld = 3 * 86400.0;
  EXPECT_THAT(run({knob("ship.meld:zod", "")}, observed), IsEmpty());
}

TEST(RecommenderTest, LargerLoomOverEightyFivePercent) {
  HostObservations observed;
  observed.ships = {ship("zod", "/srv/zod")};
  observed.ships[0].loom_use_ratio = 0.9;
  auto out = run({knob("ship.loom:zod", "31")}, observed);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value, "32");
  EXPECT_THAT(out[0].evidence, Contains(HasSubstr("urbit_ship_loom_use_ratio = 0.900")));
  observed.ships[0].loom_use_ratio = 0.5;
  EXPECT_THAT(run({knob("ship.loom:zod", "31")}, observed), IsEmpty());
  observed.ships[0].loom_use_ratio = 0.95;
  EXPECT_THAT(run({knob("ship.loom:zod", "34")}, observed), IsEmpty());  // the largest loom
}

TEST(RecommenderTest, UnavailableKnobsAreNeverProposed) {
  auto swappiness = knob("vm.swappiness", "60");
  swappiness.available = false;
  EXPECT_THAT(run({swappiness}), IsEmpty());
}

TEST(RecommenderTest, OpenProposalsAndRecentRejectionsHoldTheKnob) {
  std::vector<Recommendation> recommendations = {{"vm.swappiness", "10", "60", "r", {}}};
  const int64_t now = 1'700'000'000'000;
  Proposal open;
  open.host = "web1";
  open.knob = "vm.swappiness";
  open.value = "5";
  open.state = ProposalState::kApplied;
  EXPECT_THAT(withoutKnownAnswers("web1", recommendations, {&open}, now), IsEmpty());
  open.state = ProposalState::kRolledBack;
  EXPECT_EQ(withoutKnownAnswers("web1", recommendations, {&open}, now).size(), 1u);

  Proposal rejected = open;
  rejected.value = "10";
  rejected.state = ProposalState::kRejected;
  rejected.updated_ms = now - 6 * 86'400'000LL;
  EXPECT_THAT(withoutKnownAnswers("web1", recommendations, {&rejected}, now), IsEmpty());
  rejected.updated_ms = now - 8 * 86'400'000LL;
  EXPECT_EQ(withoutKnownAnswers("web1", recommendations, {&rejected}, now).size(), 1u);
}

}  // namespace
}  // namespace tidemark::controller
