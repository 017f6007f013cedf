#include <gtest/gtest.h>

#include "agent/tuner/knob_files.h"
#include "tests/unit/agent/tuner/host_fixture.h"

namespace tidemark::agent::tuner {
namespace {

using testing::hostKnob;
using testing::readFixture;
using testing::TempDir;
using testing::writeHostTree;

TEST(SysctlKnobs, ReadsValidatesWritesAndRestoresAnIntegerSysctl) {
  TempDir root;
  writeHostTree(root);
  KnobPtr knob = hostKnob(root, "vm.max_map_count");
  ASSERT_NE(knob, nullptr);
  const KnobProbe probe = knob->probe();
  EXPECT_TRUE(probe.available);
  EXPECT_EQ(probe.value, "65530");

  EXPECT_EQ(knob->validate("262144"), "");
  EXPECT_NE(knob->validate("-1"), "");
  EXPECT_NE(knob->validate("lots"), "");
  EXPECT_NE(knob->validate("0262144"), "") << "non-canonical integers would never read back";

  const SavedState saved = knob->save();
  knob->write("262144");
  EXPECT_EQ(readFixture(root, "proc/sys/vm/max_map_count"), "262144\n");
  EXPECT_EQ(knob->read(), "262144");
  EXPECT_EQ(knob->restoreCommand(saved), "sysctl -w vm.max_map_count=65530");
  knob->restore(saved);
  EXPECT_EQ(knob->read(), "65530");
}

TEST(SysctlKnobs, SwappinessRangeFollowsTheKernelRelease) {
  EXPECT_EQ(swappinessMax("6.1.0-13-amd64"), 200);
  EXPECT_EQ(swappinessMax("5.8.0"), 200);
  EXPECT_EQ(swappinessMax("5.4.0-150-generic"), 100);
  EXPECT_EQ(swappinessMax("4.19.0"), 100);
  EXPECT_EQ(swappinessMax(""), 200);

  TempDir root;
  writeHostTree(root);
  EXPECT_EQ(hostKnob(root, "vm.swappiness")->validate("150"), "");
  root.write("proc/sys/kernel/osrelease", "5.4.0-150-generic\n");
  const std::string why = hostKnob(root, "vm.swappiness")->validate("150");
  EXPECT_NE(why.find("outside 0..100"), std::string::npos) << why;
}

TEST(SysctlKnobs, MissingSchedSysctlIsUnavailableWithTheReason) {
  TempDir root;
  writeHostTree(root);
  TunerOptions options;
  options.extra_sysctls = {"kernel.sched_migration_cost_ns", "vm.vfs_cache_pressure"};
  KnobPtr sched = hostKnob(root, "kernel.sched_migration_cost_ns", options);
  ASSERT_NE(sched, nullptr);
  const KnobProbe probe = sched->probe();
  EXPECT_FALSE(probe.available);
  EXPECT_EQ(probe.reason, "sched_* sysctls moved out of /proc/sys in Linux 5.13");

  KnobPtr missing = hostKnob(root, "vm.vfs_cache_pressure", options);
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->probe().reason, "no /proc/sys/vm/vfs_cache_pressure on this kernel");

  root.write("proc/sys/vm/vfs_cache_pressure", "100\n");
  EXPECT_TRUE(hostKnob(root, "vm.vfs_cache_pressure", options)->probe().available);
}

TEST(SysctlKnobs, MultiValueSysctlIsNotAnIntegerKnob) {
  TempDir root;
  writeHostTree(root);
  root.write("proc/sys/net/ipv4/tcp_rmem", "4096\t131072\t6291456\n");
  TunerOptions options;
  options.extra_sysctls = {"net.ipv4.tcp_rmem"};
  const KnobProbe probe = hostKnob(root, "net.ipv4.tcp_rmem", options)->probe();
  EXPECT_FALSE(probe.available);
  EXPECT_NE(probe.reason.find("not one integer"), std::string::npos) << probe.reason;
}

TEST(SysctlKnobs, CongestionControlOffersOnlyWhatTheKernelLists) {
  TempDir root;
  writeHostTree(root);
  KnobPtr knob = hostKnob(root, "net.ipv4.tcp_congestion_control");
  ASSERT_NE(knob, nullptr);
  const KnobProbe probe = knob->probe();
  EXPECT_TRUE(probe.available);
  EXPECT_EQ(probe.value, "cubic");
  EXPECT_EQ(probe.choices, (std::vector<std::string>{"reno", "cubic"}));

  const std::string why = knob->validate("bbr");
  EXPECT_NE(why.find("'bbr' is not offered"), std::string::npos) << why;
  EXPECT_NE(why.find("tcp_available_congestion_control lists: reno cubic"), std::string::npos)
      << why;

  root.write("proc/sys/net/ipv4/tcp_available_congestion_control", "reno cubic bbr\n");
  EXPECT_EQ(knob->validate("bbr"), "");
  const SavedState saved = knob->save();
  knob->write("bbr");
  EXPECT_EQ(knob->read(), "bbr");
  EXPECT_EQ(knob->restoreCommand(saved), "sysctl -w net.ipv4.tcp_congestion_control=cubic");
  knob->restore(saved);
  EXPECT_EQ(readFixture(root, "proc/sys/net/ipv4/tcp_congestion_control"), "cubic\n");
}

TEST(SysctlKnobs, DirtyRatioRestorePutsBackTheActiveBytesHalf) {
  TempDir root;
  writeHostTree(root);
  root.write("proc/sys/vm/dirty_ratio", "0\n");
  root.write("proc/sys/vm/dirty_bytes", "268435456\n");
  KnobPtr knob = hostKnob(root, "vm.dirty_ratio");
  ASSERT_NE(knob, nullptr);
  const KnobProbe probe = knob->probe();
  EXPECT_EQ(probe.value, "0");
  EXPECT_NE(std::find(probe.facts.begin(), probe.facts.end(),
                      std::pair<std::string, std::string>{"active", "vm.dirty_bytes"}),
            probe.facts.end());

  const SavedState saved = knob->save();
  EXPECT_EQ(saved, (SavedState{{"vm.dirty_ratio", "0"}, {"vm.dirty_bytes", "268435456"}}));
  knob->write("20");
  // What the kernel does on a ratio write; the fixture has to be told.
  root.write("proc/sys/vm/dirty_bytes", "0\n");
  EXPECT_EQ(knob->read(), "20");

  EXPECT_EQ(knob->restoreCommand(saved), "sysctl -w vm.dirty_bytes=268435456");
  knob->restore(saved);
  EXPECT_EQ(readFixture(root, "proc/sys/vm/dirty_bytes"), "268435456\n");
}

TEST(SysctlKnobs, DirtyBackgroundRatioRestoresTheRatioWhenItWasActive) {
  TempDir root;
  writeHostTree(root);
  KnobPtr knob = hostKnob(root, "vm.dirty_background_ratio");
  ASSERT_NE(knob, nullptr);
  const SavedState saved = knob->save();
  EXPECT_EQ(knob->validate("101"),
            "vm.dirty_background_ratio: 101 is outside 0..100 (a percentage)");
  knob->write("5");
  EXPECT_EQ(knob->read(), "5");
  EXPECT_EQ(knob->restoreCommand(saved), "sysctl -w vm.dirty_background_ratio=10");
  knob->restore(saved);
  EXPECT_EQ(readFixture(root, "proc/sys/vm/dirty_background_ratio"), "10\n");
  EXPECT_EQ(readFixture(root, "proc/sys/vm/dirty_background_bytes"), "0\n");
}

TEST(SysctlKnobs, WriteErrorNamesThePathAndValue) {
  TempDir root;
  writeHostTree(root);
  KnobPtr knob = hostKnob(root, "net.core.somaxconn");
  std::filesystem::remove(root.path() / "proc/sys/net/core/somaxconn");
  try {
    knob->write("8192");
    FAIL() << "a missing file must not be created";
  } catch (const TuningError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("proc/sys/net/core/somaxconn = '8192'"), std::string::npos) << what;
  }
  EXPECT_FALSE(std::filesystem::exists(root.path() / "proc/sys/net/core/somaxconn"));
}

TEST(KnobFiles, ParsesChoiceListsAndCanonicalIntegers) {
  const ChoiceList list = parseChoiceList("mq-deadline kyber [bfq] none\n");
  EXPECT_EQ(list.active, "bfq");
  EXPECT_EQ(list.choices, (std::vector<std::string>{"mq-deadline", "kyber", "bfq", "none"}));
  EXPECT_EQ(parseCanonicalInteger("-5"), -5);
  EXPECT_FALSE(parseCanonicalInteger("+5"));
  EXPECT_FALSE(parseCanonicalInteger("5 "));
  EXPECT_FALSE(parseCanonicalInteger(""));
  EXPECT_EQ(underRoot("/", "/proc/cmdline"), "/proc/cmdline");
  EXPECT_EQ(underRoot("/tmp/x/", "/proc/cmdline"), "/tmp/x/proc/cmdline");
  EXPECT_EQ(sysctlHostPath("net.ipv4.tcp_congestion_control"),
            "/proc/sys/net/ipv4/tcp_congestion_control");
  EXPECT_EQ(sysctlHostPath("net.ipv4.conf.eth0/100.rp_filter"),
            "/proc/sys/net/ipv4/conf/eth0.100/rp_filter");
}

TEST(SysctlKnobs, ExtraSysctlNamesMustStayUnderProcSys) {
  EXPECT_EQ(checkSysctlName("vm.vfs_cache_pressure"), "");
  EXPECT_EQ(checkSysctlName("net.ipv4.conf.eth0/100.rp_filter"), "");
  EXPECT_NE(checkSysctlName("vm..x"), "");
  EXPECT_NE(checkSysctlName("vm.//.x"), "") << "would be /proc/sys/vm/../x";
  EXPECT_NE(checkSysctlName("vm.x y"), "");
  EXPECT_NE(checkSysctlName(""), "");
  TunerOptions options;
  options.extra_sysctls = {"kernel.//.//.etc.shadow"};
  EXPECT_THROW(makeHostKnobSource(options), std::runtime_error);
}

}  // namespace
}  // namespace tidemark::agent::tuner
