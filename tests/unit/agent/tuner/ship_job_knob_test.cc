#include "agent/tuner/ship_job_knob.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "agent/tuner/ship_process.h"
#include "tests/support/child_process.h"
#include "tests/support/standin_ship.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/tuner/ship_tuner_test_support.h"

namespace tidemark::agent::tuner {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using tidemark::testing::eventually;
using tidemark::testing::makeStandinPier;
using tidemark::testing::StandinPierOptions;
using tidemark::testing::StandinShip;
using tidemark::testing::TempDir;
using namespace tidemark::agent::tuner::testing;

// Jobs against real stand-in ships: the stop command signals the king named in the
// lock, the start command starts the stand-in again detached (as systemd would).
class ShipJobKnobTest : public ::testing::Test {
 protected:
  ShipJobKnobTest()
      : piers(std::filesystem::canonical(dir.path()).string() + "/piers"),
        bin(dir.str() + "/bin"),
        pier(piers + "/sampel-palnet") {
    std::filesystem::create_directories(piers);
    // StandinShip makes this link too; jobs on a ship that never ran need it as well.
    std::filesystem::create_directories(bin);
    std::filesystem::create_symlink(tidemark::testing::binary("urbit-standin"), bin + "/urbit");
    options.root = "/";
    options.maintenance_log_path = dir.str() + "/maintenance.log";
    options.stop_command = "kill -TERM $(head -1 {pier}/.vere.lock)";
    options.start_command = "cd {pier}/.. && setsid nohup " + bin + "/urbit {pier} >>" + dir.str() +
                            "/restarted.log 2>&1 </dev/null &";
    options.pack_command = bin + "/urbit pack {pier}";
    options.meld_command = bin + "/urbit meld {pier}";
    options.roll_command = bin + "/urbit roll {pier}";
    options.chop_command = bin + "/urbit chop {pier}";
    options.stop_timeout = std::chrono::seconds(5);
    options.start_timeout = std::chrono::seconds(5);
    options.job_timeout = std::chrono::seconds(5);
  }
  ~ShipJobKnobTest() override { killEverythingOn(pier); }

  ShipJobKnob knob(const ShipTarget& target, ShipJob job) {
    return ShipJobKnob(std::make_shared<const ShipTuningOptions>(options), target, job);
  }

  std::vector<std::string> logLines() const {
    std::vector<std::string> lines;
    std::istringstream text(readText(options.maintenance_log_path));
    for (std::string line; std::getline(text, line);) lines.push_back(line);
    return lines;
  }

  std::string imagePath() const { return pier + "/.urb/chk/image.bin"; }

  TempDir dir;
  std::string piers;
  std::string bin;
  std::string pier;
  ShipTuningOptions options;
};

TEST_F(ShipJobKnobTest, StandinOfflineJobRefusesWhileTheShipHoldsTheLock) {
  makeStandinPier(pier);
  StandinShip ship(bin, pier);
  const auto result = tidemark::testing::runCommand({bin + "/urbit", "pack", pier});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("is the ship running?"));
  EXPECT_EQ(fileSize(imagePath()), 32u * 1024);
}

TEST_F(ShipJobKnobTest, PackStopsTheShipRunsWithTheLockFreeAndStartsItAgain) {
  makeStandinPier(pier, {.image_bytes = 64 * 1024});
  StandinShip ship(bin, pier);
  const pid_t old_king = ship.kingPid();
  ShipJobKnob pack = knob(targetOf(pier, ship), ShipJob::kPack);
  ASSERT_TRUE(pack.probe().available) << pack.probe().reason;
  EXPECT_FALSE(pack.reversible());
  EXPECT_TRUE(pack.verifiedByWrite());

  pack.write("run");

  EXPECT_LT(fileSize(imagePath()), 64u * 1024);  // the stand-in's pack ran: it needs the lock
  const auto new_king = pierLockHolder("", pier);
  ASSERT_TRUE(new_king);
  EXPECT_NE(*new_king, old_king);
  EXPECT_TRUE(readLiveProcess("", *new_king));
  EXPECT_TRUE(eventually([&] { return tidemark::testing::findSerfOf(*new_king) > 0; },
                         std::chrono::seconds(5)));
  EXPECT_THAT(pack.lastOutcome(), HasSubstr("stopped (king PID " + std::to_string(old_king)));
  EXPECT_THAT(pack.lastOutcome(), HasSubstr("pack ok"));
  EXPECT_THAT(pack.lastOutcome(), HasSubstr("started (king PID " + std::to_string(*new_king)));
  const auto lines = logLines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], ::testing::MatchesRegex("[0-9]+ " + pier + " pack ok"));

  // The probe now knows the last pack; the ship is up.
  const KnobProbe probe = knob(downTarget(pier), ShipJob::kPack).probe();
  EXPECT_THAT(probe.facts, ::testing::Contains(std::pair<std::string, std::string>("up", "1")));
  EXPECT_THAT(probe.facts, ::testing::Contains(::testing::Key("last_pack")));
  EXPECT_THAT(probe.facts, Not(::testing::Contains(::testing::Key("last_meld"))));
}

TEST_F(ShipJobKnobTest, RollChopLeavesTheNewestTwoEpochs) {
  makeStandinPier(pier, {.epochs = 4});
  StandinShip ship(bin, pier);
  knob(targetOf(pier, ship), ShipJob::kRollChop).write("run");
  // Epochs 0i0..0i3000, roll adds 0i4000, chop keeps the newest two.
  EXPECT_EQ(epochsOf(pier), (std::vector<std::string>{"0i3000", "0i4000"}));
  const auto lines = logLines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], HasSubstr(pier + " roll ok"));
  EXPECT_THAT(lines[1], HasSubstr(pier + " chop ok"));
  EXPECT_TRUE(pierLockHolder("", pier));
}

TEST_F(ShipJobKnobTest, TheControllersShorterTimeLimitWinsOverTheHostsLonger) {
  makeStandinPier(pier);
  StandinShip ship(bin, pier);
  options.pack_command = "URBIT_STANDIN_HANG=1 " + bin + "/urbit pack {pier}";
  options.job_timeout = std::chrono::hours(2);  // the host's own limit
  ShipJobKnob pack = knob(targetOf(pier, ship), ShipJob::kPack);
  pack.limitRunTime(std::chrono::seconds(1));   // the command's timeout_ms
  EXPECT_THROW(pack.write("run"), TuningError);
  EXPECT_THAT(pack.lastOutcome(), HasSubstr("timed out"));
  EXPECT_TRUE(pierLockHolder("", pier)) << "started again after the killed job";
}

TEST_F(ShipJobKnobTest, HungJobIsKilledAndTheShipStartedAgain) {
  makeStandinPier(pier);
  StandinShip ship(bin, pier);
  const pid_t old_king = ship.kingPid();
  options.pack_command = "URBIT_STANDIN_HANG=1 " + bin + "/urbit pack {pier}";
  options.job_timeout = std::chrono::seconds(1);
  ShipJobKnob pack = knob(targetOf(pier, ship), ShipJob::kPack);
  try {
    pack.write("run");
    FAIL() << "a hung pack must fail";
  } catch (const TuningError& error) {
    EXPECT_THAT(error.what(), HasSubstr("step pack"));
    EXPECT_THAT(error.what(), HasSubstr("timed out"));
    EXPECT_THAT(error.what(), HasSubstr("process group was killed"));
    EXPECT_THAT(error.what(), HasSubstr("started (king PID"));
  }
  // The hung pack held the pier lock: the ship could start only because it was killed.
  const auto new_king = pierLockHolder("", pier);
  ASSERT_TRUE(new_king);
  EXPECT_NE(*new_king, old_king);
  for (const pid_t pid : processesNaming(pier)) {
    const std::string cmdline = readText("/proc/" + std::to_string(pid) + "/cmdline");
    EXPECT_THAT(cmdline, Not(HasSubstr(std::string("pack\0", 5)))) << "PID " << pid;
  }
  const auto lines = logLines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr(pier + " pack failed"));
  EXPECT_THAT(pack.lastOutcome(), HasSubstr("step pack"));
}

TEST_F(ShipJobKnobTest, StopThatDoesNothingTimesOutAndTheJobIsNotRun) {
  makeStandinPier(pier);
  StandinShip ship(bin, pier);
  options.stop_command = "true";
  options.stop_timeout = std::chrono::seconds(1);
  try {
    knob(targetOf(pier, ship), ShipJob::kPack).write("run");
    FAIL() << "a stop that leaves the ship up must fail";
  } catch (const TuningError& error) {
    EXPECT_THAT(error.what(), HasSubstr("step stop"));
    EXPECT_THAT(error.what(), HasSubstr("still up"));
    EXPECT_THAT(error.what(), HasSubstr("the job was not run"));
  }
  EXPECT_EQ(pierLockHolder("", pier), ship.kingPid());
  EXPECT_EQ(fileSize(imagePath()), 32u * 1024);
  EXPECT_TRUE(logLines().empty());
}

TEST_F(ShipJobKnobTest, ShipAlreadyDownStaysDownAfterAnOfflineJob) {
  makeStandinPier(pier, {.image_bytes = 64 * 1024});
  const std::string marker = dir.str() + "/started";
  options.start_command = "touch " + marker;
  ShipJobKnob meld = knob(downTarget(pier), ShipJob::kMeld);
  ASSERT_TRUE(meld.probe().available) << meld.probe().reason;
  meld.write("run");
  EXPECT_LT(fileSize(imagePath()), 64u * 1024);
  EXPECT_FALSE(std::filesystem::exists(marker));
  EXPECT_FALSE(pierLockHolder("", pier));
  EXPECT_THAT(meld.lastOutcome(), HasSubstr("down before the job"));
  EXPECT_THAT(meld.lastOutcome(), HasSubstr("meld ok"));
  const auto lines = logLines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr(pier + " meld ok"));
}

TEST_F(ShipJobKnobTest, FailedJobStillRestartsAndNamesTheStep) {
  makeStandinPier(pier);
  StandinShip ship(bin, pier);
  options.meld_command = "echo 'meld: out of memory' >&2; exit 3";
  try {
    knob(targetOf(pier, ship), ShipJob::kMeld).write("run");
    FAIL() << "a failed meld must fail";
  } catch (const TuningError& error) {
    EXPECT_THAT(error.what(), HasSubstr("step meld"));
    EXPECT_THAT(error.what(), HasSubstr("exit 3: meld: out of memory"));
  }
  const auto new_king = pierLockHolder("", pier);
  ASSERT_TRUE(new_king);
  EXPECT_NE(*new_king, ship.kingPid());
  EXPECT_THAT(logLines(), ::testing::ElementsAre(HasSubstr(pier + " meld failed")));
}

TEST_F(ShipJobKnobTest, PackLiveRunsWhileUpAndIsRefusedWhenDown) {
  makeStandinPier(pier);
  ShipJobKnob unconfigured = knob(downTarget(pier), ShipJob::kPackLive);
  EXPECT_FALSE(unconfigured.probe().available);
  EXPECT_THAT(unconfigured.probe().reason, HasSubstr("pack_live_command is not configured"));

  options.pack_live_command = "echo live > {pier}/.packed-live";
  ShipJobKnob down = knob(downTarget(pier), ShipJob::kPackLive);
  EXPECT_FALSE(down.probe().available);
  EXPECT_THAT(down.probe().reason, HasSubstr("down"));
  EXPECT_THROW(
      {
        try {
          down.write("run");
        } catch (const TuningError& error) {
          EXPECT_THAT(error.what(), HasSubstr("refused"));
          throw;
        }
      },
      TuningError);
  EXPECT_FALSE(std::filesystem::exists(pier + "/.packed-live"));

  StandinShip ship(bin, pier);
  ShipJobKnob live = knob(targetOf(pier, ship), ShipJob::kPackLive);
  ASSERT_TRUE(live.probe().available) << live.probe().reason;
  live.write("run");
  EXPECT_TRUE(std::filesystem::exists(pier + "/.packed-live"));
  EXPECT_EQ(pierLockHolder("", pier), ship.kingPid());  // never stopped
  EXPECT_THAT(logLines(), ::testing::ElementsAre(HasSubstr(pier + " pack ok")));
}

TEST_F(ShipJobKnobTest, OnlyRunIsAValueAndNothingCanBeRestored) {
  makeStandinPier(pier);
  ShipJobKnob pack = knob(downTarget(pier), ShipJob::kPack);
  EXPECT_EQ(pack.id(), "ship.pack:sampel-palnet");
  EXPECT_EQ(pack.validate("run"), "");
  EXPECT_NE(pack.validate("now"), "");
  EXPECT_THROW(pack.write("now"), TuningError);
  EXPECT_THROW(pack.restore({}), TuningError);
  EXPECT_THAT(pack.restoreCommand({}), HasSubstr("cannot be undone"));
  const KnobProbe probe = pack.probe();
  EXPECT_THAT(probe.facts, ::testing::Contains(std::pair<std::string, std::string>("up", "0")));
  EXPECT_THAT(probe.facts,
              ::testing::Contains(std::pair<std::string, std::string>("loom_bits", "31")));

  EXPECT_FALSE(knob(downTarget(piers + "/nowhere"), ShipJob::kPack).probe().available);
  options.meld_command.clear();
  EXPECT_THAT(knob(downTarget(pier), ShipJob::kMeld).probe().reason,
              HasSubstr("meld_command is not configured"));
}

TEST_F(ShipJobKnobTest, FailedStartIsReportedWithTheShipLeftDown) {
  makeStandinPier(pier, {.image_bytes = 64 * 1024});
  StandinShip ship(bin, pier);
  options.start_command = "echo 'unit urbit@{ship} not found' >&2; exit 5";
  options.start_timeout = std::chrono::seconds(1);
  try {
    knob(targetOf(pier, ship), ShipJob::kPack).write("run");
    FAIL() << "a failed start must fail";
  } catch (const TuningError& error) {
    EXPECT_THAT(error.what(), HasSubstr("step start"));
    EXPECT_THAT(error.what(), HasSubstr("exit 5: unit urbit@sampel-palnet not found"));
    EXPECT_THAT(error.what(), HasSubstr("the ship is down"));
    EXPECT_THAT(error.what(), HasSubstr("pack ok"));  // what was done before
  }
  EXPECT_LT(fileSize(imagePath()), 64u * 1024);
  EXPECT_FALSE(pierLockHolder("", pier));
  EXPECT_THAT(logLines(), ::testing::ElementsAre(HasSubstr(pier + " pack ok")));
}

TEST_F(ShipJobKnobTest, BadTemplateIsFoundBeforeTheShipIsStopped) {
  makeStandinPier(pier);
  StandinShip ship(bin, pier);
  options.start_command = "systemctl start urbit@{name}";
  try {
    knob(targetOf(pier, ship), ShipJob::kPack).write("run");
    FAIL() << "an unknown placeholder must be refused";
  } catch (const TuningError& error) {
    EXPECT_THAT(error.what(), HasSubstr("step start"));
    EXPECT_THAT(error.what(), HasSubstr("{name}"));
  }
  EXPECT_EQ(pierLockHolder("", pier), ship.kingPid());
}

}  // namespace
}  // namespace tidemark::agent::tuner
