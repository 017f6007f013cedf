#include "agent/collectors/proc_vmstat.h"

#include <gtest/gtest.h>

#include "agent/io/plain_read_batch.h"
#include "common/time/clock.h"
#include "tests/support/recording_sample_writer.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::RecordingSampleWriter;

TEST(VmstatCollectorTest, ReadsDefaultFieldsOfBasicHost) {
  ManualClock clock;
  ThrottledLog log(clock);
  PlainReadBatch batch(tidemark::testing::fixturePath("hosts/basic"));
  VmstatCollector collector(log);
  RecordingSampleWriter out;
  tidemark::testing::collectPass(collector, batch, out);
  EXPECT_EQ(out.value("node_vmstat_pgpgin"), 1641785.0);
  EXPECT_EQ(out.value("node_vmstat_pgpgout"), 414896.0);
  EXPECT_EQ(out.value("node_vmstat_pswpin"), 321.0);
  EXPECT_EQ(out.value("node_vmstat_pswpout"), 654.0);
  EXPECT_EQ(out.value("node_vmstat_pgfault"), 2892078.0);
  EXPECT_EQ(out.value("node_vmstat_pgmajfault"), 1266.0);
  EXPECT_EQ(out.value("node_vmstat_oom_kill"), 2.0);
  // Only the seven default fields; the other lines of the fixture are not reported.
  EXPECT_EQ(out.samples.size(), 7u);
}

TEST(VmstatCollectorTest, MalformedHostKeepsGoodLines) {
  ManualClock clock;
  ThrottledLog log(clock);
  PlainReadBatch batch(tidemark::testing::fixturePath("hosts/malformed"));
  VmstatCollector collector(log);
  tidemark::testing::LogCapture capture;
  RecordingSampleWriter out;
  tidemark::testing::collectPass(collector, batch, out);
  EXPECT_EQ(out.value("node_vmstat_pgpgin"), 1000.0);
  EXPECT_EQ(out.value("node_vmstat_pgfault"), 99999.0);
  EXPECT_EQ(out.value("node_vmstat_oom_kill"), 3.0);
  EXPECT_EQ(out.samples.size(), 3u);
  EXPECT_EQ(capture.count("proc_vmstat: /proc/vmstat line 3 \"pgpgout\": has 1 fields"), 1u)
      << capture.text();
  EXPECT_EQ(
      capture.count("value \"-1\" is not a non-negative integer; node_vmstat_pgmajfault skipped"),
      1u);
  EXPECT_EQ(capture.count("proc_vmstat:"), 4u) << capture.text();
}

TEST(ParseVmstatTest, IgnoresUnselectedFieldsEvenWhenBad) {
  RecordingSampleWriter out;
  ParseProblems problems("proc_vmstat", "/proc/vmstat");
  parseVmstat(R"(nr_dirty garbage
pgfault 5
thp_fault_alloc 7
pgfault_extra 9
)",
              out, problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(out.samples.size(), 1u);
  EXPECT_EQ(out.value("node_vmstat_pgfault"), 5.0);
}

TEST(ParseVmstatTest, EmptyInputIsOneProblem) {
  RecordingSampleWriter out;
  ParseProblems problems("proc_vmstat", "/proc/vmstat");
  parseVmstat("\n", out, problems);
  EXPECT_EQ(problems.count(), 1u);
  EXPECT_TRUE(out.samples.empty());
}

}  // namespace
}  // namespace tidemark::agent
