#include <gtest/gtest.h>

#include <algorithm>

#include "tests/unit/agent/tuner/host_fixture.h"

namespace tidemark::agent::tuner {
namespace {

using testing::hostKnob;
using testing::hostKnobs;
using testing::readFixture;
using testing::TempDir;
using testing::writeHostTree;

std::string fact(const KnobProbe& probe, const std::string& name) {
  for (const auto& [key, value] : probe.facts) {
    if (key == name) return value;
  }
  return "<none>";
}

TEST(BlockKnobs, OneSchedulerAndReadAheadKnobPerRealDevice) {
  TempDir root;
  writeHostTree(root);
  TunerOptions options;
  options.root = root.str();
  std::vector<std::string> ids;
  for (const auto& knob : hostKnobs(options)) {
    if (knob->id().rfind("block.", 0) == 0) ids.push_back(knob->id());
  }
  // loop0 is skipped by name, dm-0 because "none" is all it offers.
  EXPECT_EQ(ids, (std::vector<std::string>{"block.scheduler:nvme0n1", "block.read_ahead_kb:nvme0n1",
                                           "block.scheduler:sda", "block.read_ahead_kb:sda"}));
}

TEST(BlockKnobs, SchedulerReadsChoicesAndFactsWritesAndRestores) {
  TempDir root;
  writeHostTree(root);
  KnobPtr knob = hostKnob(root, "block.scheduler:sda");
  ASSERT_NE(knob, nullptr);
  const KnobProbe probe = knob->probe();
  EXPECT_TRUE(probe.available);
  EXPECT_EQ(probe.value, "mq-deadline");
  EXPECT_EQ(probe.choices, (std::vector<std::string>{"mq-deadline", "kyber", "bfq", "none"}));
  EXPECT_EQ(fact(probe, "rotational"), "1");
  EXPECT_EQ(fact(probe, "transport"), "scsi");
  EXPECT_EQ(fact(probe, "size_bytes"), "512000");
  EXPECT_EQ(fact(hostKnob(root, "block.scheduler:nvme0n1")->probe(), "transport"), "nvme");

  EXPECT_EQ(knob->validate("bfq"), "");
  const std::string why = knob->validate("deadline");
  EXPECT_NE(why.find("'deadline' is not offered"), std::string::npos) << why;

  const SavedState saved = knob->save();
  knob->write("bfq");
  EXPECT_EQ(readFixture(root, "sys/block/sda/queue/scheduler"), "bfq\n");
  // The kernel answers a write with the bracketed list again.
  root.write("sys/block/sda/queue/scheduler", "mq-deadline kyber [bfq] none\n");
  EXPECT_EQ(knob->read(), "bfq");
  EXPECT_EQ(knob->restoreCommand(saved), "echo mq-deadline > /sys/block/sda/queue/scheduler");
  knob->restore(saved);
  EXPECT_EQ(readFixture(root, "sys/block/sda/queue/scheduler"), "mq-deadline\n");
}

TEST(BlockKnobs, ReadAheadIsARange) {
  TempDir root;
  writeHostTree(root);
  root.write("sys/block/vda/queue/scheduler", "[mq-deadline] none\n");
  root.write("sys/block/vda/queue/read_ahead_kb", "256\n");
  KnobPtr knob = hostKnob(root, "block.read_ahead_kb:vda");
  ASSERT_NE(knob, nullptr);
  EXPECT_EQ(fact(knob->probe(), "transport"), "virtio");
  EXPECT_EQ(knob->probe().value, "256");
  EXPECT_EQ(knob->validate("65536"), "");
  EXPECT_NE(knob->validate("65537"), "");
  const SavedState saved = knob->save();
  knob->write("4096");
  EXPECT_EQ(knob->read(), "4096");
  EXPECT_EQ(knob->restoreCommand(saved), "echo 256 > /sys/block/vda/queue/read_ahead_kb");
  knob->restore(saved);
  EXPECT_EQ(knob->read(), "256");
}

TEST(ThpKnobs, ReadWriteRestore) {
  TempDir root;
  writeHostTree(root);
  KnobPtr knob = hostKnob(root, "thp.enabled");
  ASSERT_NE(knob, nullptr);
  const KnobProbe probe = knob->probe();
  EXPECT_TRUE(probe.available);
  EXPECT_EQ(probe.value, "madvise");
  EXPECT_EQ(probe.choices, (std::vector<std::string>{"always", "madvise", "never"}));
  EXPECT_EQ(hostKnob(root, "thp.defrag")->probe().value, "madvise");
  EXPECT_NE(knob->validate("sometimes"), "");

  const SavedState saved = knob->save();
  knob->write("never");
  root.write("sys/kernel/mm/transparent_hugepage/enabled", "always madvise [never]\n");
  EXPECT_EQ(knob->read(), "never");
  EXPECT_EQ(knob->restoreCommand(saved),
            "echo madvise > /sys/kernel/mm/transparent_hugepage/enabled");
  knob->restore(saved);
  EXPECT_EQ(readFixture(root, "sys/kernel/mm/transparent_hugepage/enabled"), "madvise\n");
}

TEST(ThpKnobs, SetOnTheKernelCommandLineIsLeftAlone) {
  TempDir root;
  writeHostTree(root);
  root.write("proc/cmdline", "BOOT_IMAGE=/vmlinuz ro transparent_hugepage=never quiet\n");
  for (const std::string id : {"thp.enabled", "thp.defrag"}) {
    const KnobProbe probe = hostKnob(root, id)->probe();
    EXPECT_FALSE(probe.available) << id;
    EXPECT_EQ(probe.reason,
              "set on the kernel command line (transparent_hugepage=never): left alone");
    EXPECT_EQ(fact(probe, "boot_override"), "1");
  }
}

}  // namespace
}  // namespace tidemark::agent::tuner
