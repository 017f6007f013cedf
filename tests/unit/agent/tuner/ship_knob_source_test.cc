#include "agent/tuner/ship_knob_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/standin_ship.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/tuner/ship_tuner_test_support.h"

namespace tidemark::agent::tuner {
namespace {

using ::testing::Contains;
using ::testing::IsSupersetOf;
using ::testing::Not;
using tidemark::testing::makeStandinPier;
using tidemark::testing::StandinShip;
using tidemark::testing::TempDir;
using namespace tidemark::agent::tuner::testing;

std::vector<std::string> idsOf(const std::vector<KnobPtr>& knobs) {
  std::vector<std::string> ids;
  for (const auto& knob : knobs) ids.push_back(knob->id());
  return ids;
}

// Over the real /proc: other tests' ships may run too, so names carry this test's PID.
TEST(ShipKnobSourceTest, AsksDiscoveryAgainAtEverySurvey) {
  TempDir dir;
  const std::string piers = std::filesystem::canonical(dir.path()).string() + "/piers";
  const std::string name = "src-" + std::to_string(::getpid());
  const std::string pier = piers + "/" + name;
  makeStandinPier(pier);
  auto source = makeShipKnobSource(ShipTuningOptions{}, {piers});

  std::vector<KnobPtr> knobs;
  source->addKnobs(knobs);
  const std::vector<std::string> all = {"ship.nice:" + name,     "ship.affinity:" + name,
                                        "ship.loom:" + name,     "ship.pack_live:" + name,
                                        "ship.pack:" + name,     "ship.meld:" + name,
                                        "ship.roll_chop:" + name};
  EXPECT_THAT(idsOf(knobs), IsSupersetOf(all));
  for (const auto& knob : knobs) {
    if (knob->id() == "ship.nice:" + name) {
      EXPECT_FALSE(knob->probe().available);  // down
    }
  }

  {
    StandinShip ship(dir.str() + "/bin", pier);
    knobs.clear();
    source->addKnobs(knobs);
    for (const auto& knob : knobs) {
      if (knob->id() != "ship.nice:" + name) continue;
      const KnobProbe probe = knob->probe();
      EXPECT_TRUE(probe.available) << probe.reason;
      EXPECT_THAT(probe.facts, Contains(std::pair<std::string, std::string>(
                                   "king_pid", std::to_string(ship.kingPid()))));
    }
  }
  killEverythingOn(pier);

  std::filesystem::remove_all(pier);
  knobs.clear();
  source->addKnobs(knobs);
  EXPECT_THAT(idsOf(knobs), Not(Contains("ship.loom:" + name)));
}

TEST(ShipKnobSourceTest, TwoPiersOfOneNameGetNoShipKnobs) {
  TempDir dir;
  const std::string base = std::filesystem::canonical(dir.path()).string();
  const std::string name = "twin-" + std::to_string(::getpid());
  makeStandinPier(base + "/east/" + name);
  makeStandinPier(base + "/west/" + name);
  makeStandinPier(base + "/west/single-" + std::to_string(::getpid()));
  auto source = makeShipKnobSource(ShipTuningOptions{}, {base + "/east", base + "/west"});
  std::vector<KnobPtr> knobs;
  source->addKnobs(knobs);
  EXPECT_THAT(idsOf(knobs), Not(Contains("ship.pack:" + name)));
  EXPECT_THAT(idsOf(knobs), Contains("ship.pack:single-" + std::to_string(::getpid())));
}

}  // namespace
}  // namespace tidemark::agent::tuner
