#include "agent/collectors/proc_pressure.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "agent/io/plain_read_batch.h"
#include "common/time/clock.h"
#include "tests/support/recording_sample_writer.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::RecordingSampleWriter;

TEST(PressureCollectorTest, ReadsBasicHost) {
  ManualClock clock;
  ThrottledLog log(clock);
  PlainReadBatch batch(tidemark::testing::fixturePath("hosts/basic"));
  PressureCollector collector(log);
  tidemark::testing::LogCapture capture;
  RecordingSampleWriter out;
  tidemark::testing::collectPass(collector, batch, out);
  EXPECT_EQ(out.value("node_pressure_cpu_waiting_seconds_total"), 12.345678);
  EXPECT_EQ(out.value("node_pressure_memory_waiting_seconds_total"), 2.345678);
  EXPECT_EQ(out.value("node_pressure_memory_stalled_seconds_total"), 1.234567);
  EXPECT_EQ(out.value("node_pressure_io_waiting_seconds_total"), 34.56789);
  EXPECT_EQ(out.value("node_pressure_io_stalled_seconds_total"), 23.456789);
  // The cpu "full" line of newer kernels is not reported.
  EXPECT_EQ(out.samples.size(), 5u);
  EXPECT_TRUE(capture.text().empty()) << capture.text();
}

TEST(PressureCollectorTest, MalformedHostKeepsGoodLines) {
  ManualClock clock;
  ThrottledLog log(clock);
  PlainReadBatch batch(tidemark::testing::fixturePath("hosts/malformed"));
  PressureCollector collector(log);
  tidemark::testing::LogCapture capture;
  RecordingSampleWriter out;
  tidemark::testing::collectPass(collector, batch, out);
  EXPECT_EQ(out.value("node_pressure_memory_waiting_seconds_total"), 1.0);
  EXPECT_EQ(out.samples.size(), 1u);
  EXPECT_EQ(capture.count("/proc/pressure/cpu line 1"), 1u) << capture.text();
  EXPECT_EQ(capture.count("total \"abc\" is not a non-negative integer"), 1u);
  EXPECT_EQ(capture.count("/proc/pressure/memory line 2"), 1u);
  EXPECT_EQ(capture.count("has no total=; node_pressure_memory_stalled_seconds_total skipped"), 1u);
  EXPECT_EQ(capture.count("proc_pressure: /proc/pressure/io: has no \"some\" line"), 1u);
}

TEST(PressureCollectorTest, KernelWithoutPsiEmitsNothingAndSaysSoOnce) {
  ManualClock clock;
  ThrottledLog log(clock, /*period_ms=*/1);  // throttling alone would log again
  tidemark::testing::TempDir root;
  root.write("proc/stat", "");
  PlainReadBatch batch(root.str());
  PressureCollector collector(log);
  tidemark::testing::LogCapture capture;
  RecordingSampleWriter out;
  for (int i = 0; i < 5; ++i) {
    tidemark::testing::collectPass(collector, batch, out);
    clock.advanceMs(10'000);
  }
  EXPECT_TRUE(out.samples.empty());
  EXPECT_EQ(capture.count("proc_pressure: /proc/pressure/cpu is absent (errno 2)"), 1u)
      << capture.text();
  EXPECT_EQ(capture.count("proc_pressure"), 1u) << capture.text();
}

TEST(PressureCollectorTest, PsiDisabledByEopnotsuppIsAlsoQuiet) {
  ManualClock clock;
  ThrottledLog log(clock, 1);
  PlainReadBatch plain(tidemark::testing::fixturePath("hosts/basic"));
  tidemark::testing::FailingReadBatch batch(plain);
  batch.failures["/proc/pressure/cpu"] = EOPNOTSUPP;
  PressureCollector collector(log);
  tidemark::testing::LogCapture capture;
  RecordingSampleWriter out;
  tidemark::testing::collectPass(collector, batch, out);
  clock.advanceMs(10);
  tidemark::testing::collectPass(collector, batch, out);
  EXPECT_TRUE(out.samples.empty());
  EXPECT_EQ(capture.count("proc_pressure"), 1u) << capture.text();
  // Once PSI answers again, the collector reports as usual.
  batch.failures.clear();
  tidemark::testing::collectPass(collector, batch, out);
  EXPECT_EQ(out.samples.size(), 5u);
}

TEST(PressureCollectorTest, OtherReadErrorsAreLoggedPerFile) {
  ManualClock clock;
  ThrottledLog log(clock);
  PlainReadBatch plain(tidemark::testing::fixturePath("hosts/basic"));
  tidemark::testing::FailingReadBatch batch(plain);
  batch.failures["/proc/pressure/io"] = EACCES;
  PressureCollector collector(log);
  tidemark::testing::LogCapture capture;
  RecordingSampleWriter out;
  tidemark::testing::collectPass(collector, batch, out);
  EXPECT_EQ(out.samples.size(), 3u);
  EXPECT_EQ(capture.count("proc_pressure: cannot read /proc/pressure/io: Permission denied"), 1u)
      << capture.text();
}

TEST(ParsePressureTest, RawInputs) {
  {
    RecordingSampleWriter out;
    ParseProblems problems("proc_pressure", "/proc/pressure/cpu");
    // Pre-5.13 kernels print only the "some" line for cpu.
    parsePressure(PressureResource::kCpu, "some avg10=0.00 avg60=0.00 avg300=0.00 total=1500000\n",
                  out, problems);
    EXPECT_TRUE(problems.empty());
    EXPECT_EQ(out.value("node_pressure_cpu_waiting_seconds_total"), 1.5);
  }
  {
    RecordingSampleWriter out;
    ParseProblems problems("proc_pressure", "/proc/pressure/io");
    parsePressure(PressureResource::kIo, R"(some total=1
full avg10=1 total=-2
bogus line
)",
                  out, problems);
    EXPECT_EQ(out.value("node_pressure_io_waiting_seconds_total"), 1e-6);
    EXPECT_EQ(out.count("node_pressure_io_stalled_seconds_total"), 0u);
    EXPECT_EQ(problems.count(), 2u);
  }
}

}  // namespace
}  // namespace tidemark::agent
