#include "agent/facts/host_facts.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "agent/io/plain_file_reader.h"
#include "tests/support/test_support.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::fixturePath;
using tidemark::testing::TempDir;

std::optional<std::string> factValue(const Facts& facts, const std::string& name) {
  std::optional<std::string> found;
  for (const auto& [key, value] : facts) {
    if (key != name) continue;
    EXPECT_FALSE(found.has_value()) << "fact " << name << " appears twice";
    found = value;
  }
  return found;
}

TEST(HostFactsTest, ReadsTheBasicFixtureHost) {
  PlainFileReader reader(fixturePath("hosts/basic"));
  const Facts facts = readHostFacts(reader);
  const Facts expected = {
      {"kernel", "6.1.0-18-amd64"},
      {"cpu_count", "4"},
      {"cpu_model", "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz"},
      {"memory_bytes", std::to_string(16303428ull * 1024)},
      {"hostname", "web-01"},
  };
  EXPECT_EQ(facts, expected);
}

TEST(HostFactsTest, ReadsTheBootIdWithoutTheNewline) {
  PlainFileReader reader(fixturePath("hosts/basic"));
  EXPECT_EQ(readBootId(reader), "3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b");
}

TEST(HostFactsTest, EmptyRootGivesNoFactsAndNoBootId) {
  TempDir dir;
  PlainFileReader reader(dir.str());
  Facts facts;
  EXPECT_NO_THROW(facts = readHostFacts(reader));
  EXPECT_TRUE(facts.empty());
  EXPECT_EQ(readBootId(reader), "");
}

TEST(HostFactsTest, MissingFilesLeaveTheirFactsOut) {
  TempDir dir;
  dir.write("proc/sys/kernel/hostname", "db-7\n");
  dir.write("proc/meminfo", "MemTotal:        2048 kB\nMemFree:  1024 kB\n");
  PlainFileReader reader(dir.str());
  Facts facts;
  EXPECT_NO_THROW(facts = readHostFacts(reader));
  EXPECT_EQ(facts, (Facts{{"memory_bytes", "2097152"}, {"hostname", "db-7"}}));
}

TEST(HostFactsTest, CpuinfoWithoutModelNameCountsProcessorsOnly) {
  // arm64 kernels list processors without a "model name".
  TempDir dir;
  dir.write("proc/cpuinfo",
            "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm\nCPU implementer\t: "
            "0x41\n\nprocessor\t: 1\nBogoMIPS\t: 50.00\n\n");
  PlainFileReader reader(dir.str());
  const Facts facts = readHostFacts(reader);
  EXPECT_EQ(factValue(facts, "cpu_count"), "2");
  EXPECT_EQ(factValue(facts, "cpu_model"), std::nullopt);
}

TEST(HostFactsTest, CpuinfoWithoutProcessorsGivesNoCpuCount) {
  TempDir dir;
  dir.write("proc/cpuinfo", "garbage\nmore garbage\n");
  PlainFileReader reader(dir.str());
  const Facts facts = readHostFacts(reader);
  EXPECT_EQ(factValue(facts, "cpu_count"), std::nullopt);
  EXPECT_EQ(factValue(facts, "cpu_model"), std::nullopt);
}

TEST(HostFactsTest, FirstModelNameWins) {
  TempDir dir;
  dir.write("proc/cpuinfo",
            "processor\t: 0\nmodel name\t: Big Core\n\nprocessor\t: 1\nmodel name\t: Little "
            "Core\n");
  PlainFileReader reader(dir.str());
  const Facts facts = readHostFacts(reader);
  EXPECT_EQ(factValue(facts, "cpu_count"), "2");
  EXPECT_EQ(factValue(facts, "cpu_model"), "Big Core");
}

TEST(HostFactsTest, MeminfoWithoutTrailingNewlineStillCounts) {
  TempDir dir;
  dir.write("proc/meminfo", "MemTotal: 1024 kB");
  PlainFileReader reader(dir.str());
  EXPECT_EQ(factValue(readHostFacts(reader), "memory_bytes"), "1048576");
}

class HostFactsGarbageMeminfoTest : public ::testing::TestWithParam<const char*> {};

TEST_P(HostFactsGarbageMeminfoTest, NoMemoryFactAndNoThrow) {
  TempDir dir;
  dir.write("proc/meminfo", GetParam());
  dir.write("proc/sys/kernel/hostname", "web-01\n");
  dir.write("proc/sys/kernel/osrelease", "6.1.0\n");
  PlainFileReader reader(dir.str());
  Facts facts;
  ASSERT_NO_THROW(facts = readHostFacts(reader));
  EXPECT_EQ(factValue(facts, "memory_bytes"), std::nullopt);
  // The other facts are unaffected.
  EXPECT_EQ(factValue(facts, "hostname"), "web-01");
  EXPECT_EQ(factValue(facts, "kernel"), "6.1.0");
}

INSTANTIATE_TEST_SUITE_P(Contents, HostFactsGarbageMeminfoTest,
                         ::testing::Values("", "\n", "MemTotal:", "MemTotal:\n",
                                           "MemTotal: lots kB\n", "MemTotal:       0 kB\n",
                                           "MemTotal: -5 kB\n", "MemTotal: 12x34 kB\n",
                                           "MemTotal: 99999999999999999999999 kB\n",
                                           "MemTotal: 18014398509481985 kB\n",  // * 1024 overflows
                                           "\x01\x02\xff garbage\n"));

TEST(HostFactsTest, TrimsSpacesAndNewlinesAroundValues) {
  TempDir dir;
  dir.write("proc/sys/kernel/osrelease", "  6.8.0-rc1  \n");
  dir.write("proc/sys/kernel/hostname", "web-01\n\n");
  dir.write("proc/sys/kernel/random/boot_id", "abc-def\n");
  PlainFileReader reader(dir.str());
  const Facts facts = readHostFacts(reader);
  EXPECT_EQ(factValue(facts, "kernel"), "6.8.0-rc1");
  EXPECT_EQ(factValue(facts, "hostname"), "web-01");
  EXPECT_EQ(readBootId(reader), "abc-def");
}

}  // namespace
}  // namespace tidemark::agent
