#include "agent/collectors/proc_loadavg.h"

#include <gtest/gtest.h>

#include "agent/io/plain_read_batch.h"
#include "common/time/clock.h"
#include "tests/support/recording_sample_writer.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::RecordingSampleWriter;

TEST(LoadavgCollectorTest, ReadsBasicHost) {
  ManualClock clock;
  ThrottledLog log(clock);
  PlainReadBatch batch(tidemark::testing::fixturePath("hosts/basic"));
  LoadavgCollector collector(log);
  RecordingSampleWriter out;
  tidemark::testing::collectPass(collector, batch, out);
  EXPECT_EQ(out.value("node_load1"), 0.52);
  EXPECT_EQ(out.value("node_load5"), 0.58);
  EXPECT_EQ(out.value("node_load15"), 0.59);
  EXPECT_EQ(out.samples.size(), 3u);
  for (const auto& sample : out.samples) EXPECT_TRUE(sample.labels.empty());
}

TEST(LoadavgCollectorTest, MalformedHostKeepsGoodFields) {
  ManualClock clock;
  ThrottledLog log(clock);
  PlainReadBatch batch(tidemark::testing::fixturePath("hosts/malformed"));
  LoadavgCollector collector(log);
  tidemark::testing::LogCapture capture;
  RecordingSampleWriter out;
  tidemark::testing::collectPass(collector, batch, out);
  EXPECT_EQ(out.value("node_load1"), 0.52);
  EXPECT_EQ(out.count("node_load5"), 0u);
  EXPECT_EQ(out.value("node_load15"), 0.59);
  EXPECT_EQ(capture.count("proc_loadavg: /proc/loadavg line 1 \"0.52 abc 0.59 1/100 42\": field 2 "
                          "(\"abc\") is not a load average; node_load5 skipped"),
            1u)
      << capture.text();
}

TEST(ParseLoadavgTest, RawInputs) {
  struct Case {
    const char* text;
    size_t samples;
    size_t problems;
  };
  for (const Case& c : {Case{"1.00 2.00 3.00 1/1 1\n", 3, 0},
                        Case{"1.00 2.00 3.00", 3, 0},  // no newline, no pid fields
                        Case{"1.00 2.0", 0, 1},        // cut short
                        Case{"", 0, 1}, Case{"\n", 0, 1}, Case{"-1 nan 2", 1, 2}}) {
    RecordingSampleWriter out;
    ParseProblems problems("proc_loadavg", "/proc/loadavg");
    parseLoadavg(c.text, out, problems);
    EXPECT_EQ(out.samples.size(), c.samples) << c.text;
    EXPECT_EQ(problems.count(), c.problems) << c.text;
  }
}

}  // namespace
}  // namespace tidemark::agent
