#include "agent/collectors/file_nr.h"

#include <gtest/gtest.h>

#include "agent/io/plain_read_batch.h"
#include "common/time/clock.h"
#include "tests/support/recording_sample_writer.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::RecordingSampleWriter;

TEST(FileNrCollectorTest, ReadsBasicHost) {
  ManualClock clock;
  ThrottledLog log(clock);
  PlainReadBatch batch(tidemark::testing::fixturePath("hosts/basic"));
  FileNrCollector collector(log);
  RecordingSampleWriter out;
  tidemark::testing::collectPass(collector, batch, out);
  EXPECT_EQ(out.value("node_filefd_allocated"), 3456.0);
  EXPECT_EQ(out.value("node_filefd_maximum"), 9223372036854775807.0);
  EXPECT_EQ(out.samples.size(), 2u);
}

TEST(FileNrCollectorTest, MalformedHostKeepsGoodField) {
  ManualClock clock;
  ThrottledLog log(clock);
  PlainReadBatch batch(tidemark::testing::fixturePath("hosts/malformed"));
  FileNrCollector collector(log);
  tidemark::testing::LogCapture capture;
  RecordingSampleWriter out;
  tidemark::testing::collectPass(collector, batch, out);
  EXPECT_EQ(out.value("node_filefd_maximum"), 1000.0);
  EXPECT_EQ(out.samples.size(), 1u);
  EXPECT_EQ(
      capture.count("file_nr: /proc/sys/fs/file-nr line 1 \"abc\\t0\\t1000\": field 1 (\"abc\") "
                    "is not a non-negative integer; node_filefd_allocated skipped"),
      1u)
      << capture.text();
}

TEST(ParseFileNrTest, RawInputs) {
  struct Case {
    const char* text;
    size_t samples;
    size_t problems;
  };
  for (const Case& c : {Case{"10\t0\t20\n", 2, 0}, Case{"10 0 20", 2, 0}, Case{"10\t0\n", 0, 1},
                        Case{"", 0, 1}, Case{"x y z", 0, 2}}) {
    RecordingSampleWriter out;
    ParseProblems problems("file_nr", "/proc/sys/fs/file-nr");
    parseFileNr(c.text, out, problems);
    EXPECT_EQ(out.samples.size(), c.samples) << c.text;
    EXPECT_EQ(problems.count(), c.problems) << c.text;
  }
}

}  // namespace
}  // namespace tidemark::agent
