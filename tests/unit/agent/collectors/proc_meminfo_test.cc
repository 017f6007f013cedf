#include "agent/collectors/proc_meminfo.h"

#include <gtest/gtest.h>

#include "agent/io/plain_read_batch.h"
#include "common/metrics/series.h"
#include "common/time/clock.h"
#include "tests/support/recording_sample_writer.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::RecordingSampleWriter;

TEST(MeminfoCollectorTest, ReadsEveryLineOfBasicHost) {
  ManualClock clock;
  ThrottledLog log(clock);
  PlainReadBatch batch(tidemark::testing::fixturePath("hosts/basic"));
  MeminfoCollector collector(log);
  tidemark::testing::LogCapture capture;
  RecordingSampleWriter out;
  tidemark::testing::collectPass(collector, batch, out);

  EXPECT_EQ(out.samples.size(), 54u);  // one per line of the fixture
  EXPECT_EQ(out.value("node_memory_MemTotal_bytes"), 16303428.0 * 1024);
  EXPECT_EQ(out.value("node_memory_MemAvailable_bytes"), 12345678.0 * 1024);
  EXPECT_EQ(out.value("node_memory_SwapTotal_bytes"), 2097148.0 * 1024);
  EXPECT_EQ(out.value("node_memory_SwapFree_bytes"), 2000000.0 * 1024);
  EXPECT_EQ(out.value("node_memory_SwapCached_bytes"), 1024.0 * 1024);
  EXPECT_EQ(out.value("node_memory_Active_anon_bytes"), 1520000.0 * 1024);
  EXPECT_EQ(out.value("node_memory_Inactive_file_bytes"), 2308398.0 * 1024);
  EXPECT_EQ(out.value("node_memory_Committed_AS_bytes"), 5248800.0 * 1024);
  EXPECT_EQ(out.value("node_memory_VmallocTotal_bytes"), 34359738367.0 * 1024);
  // Counts, not sizes: no unit, no scaling, no _bytes.
  EXPECT_EQ(out.value("node_memory_HugePages_Total"), 16.0);
  EXPECT_EQ(out.value("node_memory_HugePages_Rsvd"), 2.0);
  EXPECT_EQ(out.value("node_memory_Hugepagesize_bytes"), 2048.0 * 1024);
  for (const auto& sample : out.samples) {
    EXPECT_TRUE(isValidMetricName(sample.name)) << sample.name;
    EXPECT_TRUE(sample.labels.empty()) << sample.name;
  }
  EXPECT_TRUE(capture.text().empty()) << capture.text();
}

TEST(MeminfoCollectorTest, MalformedHostKeepsGoodLines) {
  ManualClock clock;
  ThrottledLog log(clock);
  PlainReadBatch batch(tidemark::testing::fixturePath("hosts/malformed"));
  MeminfoCollector collector(log);
  tidemark::testing::LogCapture capture;
  RecordingSampleWriter out;
  tidemark::testing::collectPass(collector, batch, out);

  EXPECT_EQ(out.value("node_memory_MemTotal_bytes"), 16000000.0 * 1024);
  EXPECT_EQ(out.value("node_memory_Active_anon_bytes"), 1520.0 * 1024);
  EXPECT_EQ(out.value("node_memory_HugePages_Total"), 7.0);
  EXPECT_EQ(out.value("node_memory_SwapFree_bytes"), 50.0 * 1024);
  EXPECT_EQ(out.samples.size(), 4u);

  EXPECT_EQ(capture.count("line 2 \"MemFree:        notanumber kB\": value \"notanumber\" is not "
                          "a number; line skipped"),
            1u)
      << capture.text();
  EXPECT_EQ(capture.count("line 3 \"Buffers          1888 kB\": key does not end in ':'"), 1u);
  EXPECT_EQ(capture.count("line 4 \"Cached:\": has 1 fields"), 1u);
  EXPECT_EQ(capture.count("unit \"MB\" is not kB"), 1u);
  EXPECT_EQ(capture.count("line 9 \"Weird Key:             5 kB\": has 4 fields"), 1u);
  EXPECT_EQ(capture.count("proc_meminfo:"), 5u) << capture.text();
}

TEST(ParseMeminfoTest, ParenthesesBecomeUnderscoreLikeNodeExporter) {
  RecordingSampleWriter out;
  ParseProblems problems("proc_meminfo", "/proc/meminfo");
  parseMeminfo(R"(Active(anon):   1 kB
Inactive(file): 2 kB
A(b)c(d):       3 kB
Zswap(:         4 kB
)",
               out, problems);
  EXPECT_EQ(out.value("node_memory_Active_anon_bytes"), 1024.0);
  EXPECT_EQ(out.value("node_memory_Inactive_file_bytes"), 2048.0);
  // Greedy \((.*)\): from the first '(' to the last ')'.
  EXPECT_EQ(out.value("node_memory_A_b)c(d_bytes"), std::nullopt);
  EXPECT_EQ(problems.count(), 2u);  // "A_b)c(d" and "Zswap(" are not metric names
}

TEST(ParseMeminfoTest, RejectsKeysThatAreNotMetricNamesOrTooLong) {
  RecordingSampleWriter out;
  ParseProblems problems("proc_meminfo", "/proc/meminfo");
  const std::string long_key(200, 'K');
  parseMeminfo("Bad-Key: 1 kB\n9Lives: 2\n" + long_key + ": 3 kB\nOk: 4\n", out, problems);
  EXPECT_EQ(out.value("node_memory_Ok"), 4.0);
  EXPECT_EQ(out.value("node_memory_9Lives"), 2.0);  // valid once prefixed
  EXPECT_EQ(out.samples.size(), 2u);
  EXPECT_EQ(problems.count(), 2u);
}

TEST(ParseMeminfoTest, EmptyInputIsOneProblemAndBlankLinesAreNone) {
  RecordingSampleWriter out;
  ParseProblems empty("proc_meminfo", "/proc/meminfo");
  parseMeminfo("", out, empty);
  EXPECT_EQ(empty.count(), 1u);
  ParseProblems blank("proc_meminfo", "/proc/meminfo");
  parseMeminfo("MemTotal: 1 kB\n\n  \nMemFree: 1 kB", out, blank);
  EXPECT_TRUE(blank.empty());
  EXPECT_EQ(out.samples.size(), 2u);
}

}  // namespace
}  // namespace tidemark::agent
