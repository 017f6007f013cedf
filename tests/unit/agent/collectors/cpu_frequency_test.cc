#include "agent/collectors/cpu_frequency.h"

#include <gtest/gtest.h>

#include "agent/io/plain_file_reader.h"
#include "common/time/clock.h"
#include "tests/support/recording_sample_writer.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::RecordingSampleWriter;

constexpr const char* kHertz = "node_cpu_scaling_frequency_hertz";

class CpuFrequencyCollectorTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  ThrottledLog log_{clock_, /*period_ms=*/1};  // so only the collector's own once-logic limits logs
};

TEST_F(CpuFrequencyCollectorTest, ReadsBasicHost) {
  PlainFileReader reader(tidemark::testing::fixturePath("hosts/basic"));
  CpuFrequencyCollector collector(reader, log_, clock_);
  EXPECT_EQ(collector.name(), "cpu_frequency");
  tidemark::testing::LogCapture capture;
  RecordingSampleWriter out;
  collector.collect(out);
  EXPECT_EQ(out.value(kHertz, {{"cpu", "0"}}), 2.4e9);
  EXPECT_EQ(out.value(kHertz, {{"cpu", "1"}}), 2.401e9);
  EXPECT_EQ(out.value(kHertz, {{"cpu", "2"}}), 3.5e9);
  EXPECT_EQ(out.value(kHertz, {{"cpu", "3"}}), 8e8);
  // cpufreq/ and cpuidle/ beside the cpuN directories are not CPUs.
  EXPECT_EQ(out.samples.size(), 4u);
  EXPECT_TRUE(capture.text().empty()) << capture.text();
}

TEST_F(CpuFrequencyCollectorTest, RereadsOnlyAfterRefreshInterval) {
  tidemark::testing::TempDir root;
  for (int cpu = 0; cpu < 2; ++cpu)
    root.write("sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/cpufreq/scaling_cur_freq",
               "1000000\n");
  PlainFileReader plain(root.str());
  tidemark::testing::CountingFileReader reader(plain);
  CpuFrequencyCollector collector(reader, log_, clock_, /*refresh_interval_ms=*/60'000);

  RecordingSampleWriter first;
  collector.collect(first);
  EXPECT_EQ(reader.reads, 2);
  EXPECT_EQ(reader.listings, 1);
  EXPECT_EQ(first.value(kHertz, {{"cpu", "1"}}), 1e9);

  // The hardware changes clock, but within the interval the cached values are repeated.
  root.write("sys/devices/system/cpu/cpu1/cpufreq/scaling_cur_freq", "2000000\n");
  for (int i = 0; i < 5; ++i) {
    clock_.advanceMs(10'000);
    RecordingSampleWriter out;
    collector.collect(out);
    EXPECT_EQ(out.samples.size(), 2u);
    EXPECT_EQ(out.value(kHertz, {{"cpu", "1"}}), 1e9);
  }
  EXPECT_EQ(reader.reads, 2);
  EXPECT_EQ(reader.listings, 1);

  clock_.advanceMs(9'999);  // 59.999 s since the first read
  RecordingSampleWriter before;
  collector.collect(before);
  EXPECT_EQ(reader.reads, 2);

  clock_.advanceMs(1);  // exactly one interval
  RecordingSampleWriter after;
  collector.collect(after);
  EXPECT_EQ(reader.reads, 4);
  EXPECT_EQ(reader.listings, 2);
  EXPECT_EQ(after.value(kHertz, {{"cpu", "1"}}), 2e9);
  EXPECT_EQ(after.value(kHertz, {{"cpu", "0"}}), 1e9);
}

TEST_F(CpuFrequencyCollectorTest, DefaultIntervalIsFiveMinutes) {
  PlainFileReader plain(tidemark::testing::fixturePath("hosts/basic"));
  tidemark::testing::CountingFileReader reader(plain);
  CpuFrequencyCollector collector(reader, log_, clock_);
  RecordingSampleWriter out;
  collector.collect(out);
  clock_.advanceMs(299'999);
  collector.collect(out);
  EXPECT_EQ(reader.reads, 4);
  clock_.advanceMs(1);
  collector.collect(out);
  EXPECT_EQ(reader.reads, 8);
  EXPECT_EQ(out.samples.size(), 12u);
}

TEST_F(CpuFrequencyCollectorTest, HostWithoutCpufreqEmitsNothingAndSaysSoOnce) {
  tidemark::testing::TempDir root;
  root.write("sys/devices/system/cpu/cpu0/online", "1\n");
  root.write("sys/devices/system/cpu/cpu1/online", "1\n");
  root.write("sys/devices/system/cpu/possible", "0-1\n");
  PlainFileReader reader(root.str());
  CpuFrequencyCollector collector(reader, log_, clock_, 1000);
  tidemark::testing::LogCapture capture;
  RecordingSampleWriter out;
  for (int i = 0; i < 5; ++i) {
    collector.collect(out);
    clock_.advanceMs(1000);
  }
  EXPECT_TRUE(out.samples.empty());
  EXPECT_EQ(capture.count("cpu_frequency: none of the 2 CPUs under /sys/devices/system/cpu"), 1u)
      << capture.text();
  EXPECT_EQ(capture.count("cpu_frequency"), 1u) << capture.text();
}

TEST_F(CpuFrequencyCollectorTest, MissingSysfsIsLogged) {
  tidemark::testing::TempDir root;
  PlainFileReader reader(root.str());
  CpuFrequencyCollector collector(reader, log_, clock_);
  tidemark::testing::LogCapture capture;
  RecordingSampleWriter out;
  collector.collect(out);
  EXPECT_TRUE(out.samples.empty());
  EXPECT_EQ(capture.count("cpu_frequency: cannot list /sys/devices/system/cpu"), 1u)
      << capture.text();
}

TEST_F(CpuFrequencyCollectorTest, MalformedHostKeepsGoodCpus) {
  PlainFileReader reader(tidemark::testing::fixturePath("hosts/malformed"));
  CpuFrequencyCollector collector(reader, log_, clock_);
  tidemark::testing::LogCapture capture;
  RecordingSampleWriter out;
  collector.collect(out);
  EXPECT_EQ(out.value(kHertz, {{"cpu", "2"}}), 1.8e9);
  EXPECT_EQ(out.samples.size(), 1u);  // cpu0 "<unknown>", cpu1 empty, cpu3 has no cpufreq
  EXPECT_EQ(capture.count("cpu_frequency: /sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq "
                          "line 1 \"<unknown>\": is not a frequency in kHz; cpu skipped"),
            1u)
      << capture.text();
  EXPECT_EQ(capture.count("cpu1/cpufreq/scaling_cur_freq line 1 \"\""), 1u) << capture.text();
  EXPECT_EQ(capture.count("cpu3"), 0u) << capture.text();
}

TEST(ParseCpuFrequencyTest, ScalingCurFreq) {
  double hertz = 0;
  EXPECT_TRUE(parseScalingCurFreq("2400000\n", hertz));
  EXPECT_EQ(hertz, 2.4e9);
  for (const char* bad : {"", "\n", "<unknown>\n", "2.4e6", "-1", "12 34"})
    EXPECT_FALSE(parseScalingCurFreq(bad, hertz)) << bad;
}

TEST(ParseCpuFrequencyTest, CpuDirectoryNames) {
  std::string_view id;
  EXPECT_TRUE(parseCpuDirectoryName("cpu0", id));
  EXPECT_EQ(id, "0");
  EXPECT_TRUE(parseCpuDirectoryName("cpu127", id));
  EXPECT_EQ(id, "127");
  for (const char* other : {"cpu", "cpufreq", "cpuidle", "cpu1a", "online", "possible", "xcpu1"})
    EXPECT_FALSE(parseCpuDirectoryName(other, id)) << other;
}

}  // namespace
}  // namespace tidemark::agent
