#include "agent/tuner/ship_affinity_knob.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>

#include <filesystem>

#include "agent/tuner/cpu_list.h"
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

std::string affinityOf(pid_t pid) {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  EXPECT_EQ(::sched_getaffinity(pid, sizeof mask, &mask), 0);
  CpuSet cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &mask)) cpus.insert(cpu);
  return formatCpuList(cpus);
}

TEST(CpuListTest, ParsesAndFormatsTheKernelsForm) {
  EXPECT_EQ(parseCpuList("0-3,6\n"), (CpuSet{0, 1, 2, 3, 6}));
  EXPECT_EQ(parseCpuList("5"), (CpuSet{5}));
  EXPECT_FALSE(parseCpuList(""));
  EXPECT_FALSE(parseCpuList("3-1"));
  EXPECT_FALSE(parseCpuList("0,,1"));
  EXPECT_FALSE(parseCpuList("a"));
  EXPECT_FALSE(parseCpuList("0-99999999"));
  EXPECT_EQ(formatCpuList({0, 1, 2, 3, 6, 8, 9}), "0-3,6,8-9");
  EXPECT_EQ(formatCpuList({}), "");
}

TEST(CpuListTest, OnlineCpusFromTheRootElseSysconf) {
  TempDir root;
  root.write("sys/devices/system/cpu/online", "0-5,7\n");
  EXPECT_EQ(onlineCpus(root.str()), (CpuSet{0, 1, 2, 3, 4, 5, 7}));
  TempDir empty;
  EXPECT_EQ(onlineCpus(empty.str()).size(), static_cast<size_t>(::sysconf(_SC_NPROCESSORS_ONLN)));
}

TEST(ShipAffinityKnobValidateTest, AcceptsOnlyOnlineCpus) {
  TempDir root;
  root.write("sys/devices/system/cpu/online", "0-3\n");
  auto options = std::make_shared<ShipTuningOptions>();
  options->root = root.str();
  ShipAffinityKnob knob(options, downTarget("/piers/zod"));
  EXPECT_EQ(knob.id(), "ship.affinity:zod");
  EXPECT_EQ(knob.validate("0-3"), "");
  EXPECT_EQ(knob.validate("1,3"), "");
  EXPECT_THAT(knob.validate("2-4"), HasSubstr("CPU 4"));
  EXPECT_THAT(knob.validate("2-4"), HasSubstr("online: 0-3"));
  EXPECT_NE(knob.validate("x"), "");
  EXPECT_FALSE(knob.probe().available);
}

TEST(ShipAffinityKnobTest, PinsKingAndSerfAndRestores) {
  TempDir dir;
  const std::string pier = std::filesystem::canonical(dir.path()).string() + "/piers/pinned";
  makeStandinPier(pier);
  {
    StandinShip ship(dir.str() + "/bin", pier);
    ShipAffinityKnob knob(std::make_shared<const ShipTuningOptions>(), targetOf(pier, ship));
    const KnobProbe probe = knob.probe();
    ASSERT_TRUE(probe.available) << probe.reason;
    const std::string before = affinityOf(ship.kingPid());
    EXPECT_EQ(probe.value, before);
    const SavedState saved = knob.save();

    // One CPU this process may use: a cgroup's cpuset can be narrower than what is online.
    const std::string one = std::to_string(*parseCpuList(before)->rbegin());
    knob.write(one);
    EXPECT_EQ(affinityOf(ship.kingPid()), one);
    EXPECT_EQ(affinityOf(ship.serfPid()), one);
    EXPECT_EQ(knob.read(), one);

    knob.restore(saved);
    EXPECT_EQ(affinityOf(ship.kingPid()), before);
    EXPECT_EQ(affinityOf(ship.serfPid()), before);
    EXPECT_EQ(knob.restoreCommand(saved),
              "taskset -a -pc " + before + " " + std::to_string(ship.kingPid()) +
                  " && taskset -a -pc " + before + " " + std::to_string(ship.serfPid()));
  }
  killEverythingOn(pier);
}

}  // namespace
}  // namespace tidemark::agent::tuner
