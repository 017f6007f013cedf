#include "agent/tuner/ship_nice_knob.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/standin_ship.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/tuner/ship_tuner_test_support.h"

namespace tidemark::agent::tuner {
namespace {

using ::testing::HasSubstr;
using tidemark::testing::makeStandinPier;
using tidemark::testing::StandinShip;
using tidemark::testing::TempDir;
using namespace tidemark::agent::tuner::testing;

class ShipNiceKnobTest : public ::testing::Test {
 protected:
  ShipNiceKnobTest()
      : pier(std::filesystem::canonical(dir.path()).string() + "/piers/nice-ship"),
        bin(dir.str() + "/bin") {
    makeStandinPier(pier);
  }
  ~ShipNiceKnobTest() override { killEverythingOn(pier); }

  ShipNiceKnob knob(const ShipTarget& target) {
    return ShipNiceKnob(std::make_shared<const ShipTuningOptions>(), target);
  }

  static int niceOf(pid_t pid) { return readLiveProcess("", pid).value().nice; }

  TempDir dir;
  std::string pier;
  std::string bin;
};

TEST_F(ShipNiceKnobTest, SetsKingAndSerfAndRestores) {
  StandinShip ship(bin, pier);
  ShipNiceKnob nice = knob(targetOf(pier, ship));
  EXPECT_EQ(nice.id(), "ship.nice:nice-ship");
  const KnobProbe probe = nice.probe();
  ASSERT_TRUE(probe.available) << probe.reason;
  const int before = niceOf(ship.kingPid());
  EXPECT_EQ(probe.value, std::to_string(before));
  const SavedState saved = nice.save();
  EXPECT_EQ(saved, (SavedState{{"nice", std::to_string(before)}}));

  nice.write("7");
  EXPECT_EQ(niceOf(ship.kingPid()), 7);
  EXPECT_EQ(niceOf(ship.serfPid()), 7);
  EXPECT_EQ(nice.read(), "7");

  if (::geteuid() == 0) {
    nice.write("-5");  // lowering needs CAP_SYS_NICE
    EXPECT_EQ(niceOf(ship.kingPid()), -5);
    EXPECT_EQ(niceOf(ship.serfPid()), -5);
  }

  nice.restore(saved);
  if (::geteuid() == 0 || before >= 7) {
    EXPECT_EQ(niceOf(ship.kingPid()), before);
    EXPECT_EQ(niceOf(ship.serfPid()), before);
  }
  EXPECT_EQ(nice.restoreCommand(saved), "renice -n " + std::to_string(before) + " -p " +
                                            std::to_string(ship.kingPid()) + " " +
                                            std::to_string(ship.serfPid()));
  if (::geteuid() != 0) GTEST_SKIP() << "not root: lowering nice (and restoring below 7) untested";
}

TEST_F(ShipNiceKnobTest, ValidatesTheRange) {
  ShipNiceKnob nice = knob(downTarget(pier));
  EXPECT_EQ(nice.validate("-20"), "");
  EXPECT_EQ(nice.validate("19"), "");
  EXPECT_NE(nice.validate("20"), "");
  EXPECT_NE(nice.validate("-21"), "");
  EXPECT_NE(nice.validate("5x"), "");
  EXPECT_NE(nice.validate(""), "");
}

TEST_F(ShipNiceKnobTest, UnavailableWhenDownOrRestarted) {
  ShipNiceKnob down = knob(downTarget(pier));
  EXPECT_FALSE(down.probe().available);
  EXPECT_THAT(down.probe().reason, HasSubstr("down"));
  EXPECT_THROW(down.write("5"), TuningError);

  ShipTarget stale;
  {
    StandinShip ship(bin, pier);
    stale = targetOf(pier, ship);
  }  // stopped: the surveyed PIDs are gone
  ShipNiceKnob gone = knob(stale);
  EXPECT_FALSE(gone.probe().available);
  EXPECT_THAT(gone.probe().reason, HasSubstr("since the survey"));
  try {
    gone.write("5");
    FAIL() << "writing to a stopped ship must fail";
  } catch (const TuningError& error) {
    EXPECT_THAT(error.what(), HasSubstr("ship.nice:nice-ship"));
    EXPECT_THAT(error.what(), HasSubstr(std::to_string(stale.ship.king->pid)));
  }
}

}  // namespace
}  // namespace tidemark::agent::tuner
