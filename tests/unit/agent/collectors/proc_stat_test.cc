#include "agent/collectors/proc_stat.h"

#include <gtest/gtest.h>

#include <set>

#include "agent/io/plain_read_batch.h"
#include "common/time/clock.h"
#include "tests/support/recording_sample_writer.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::RecordingSampleWriter;

constexpr const char* kCpuSeconds = "node_cpu_seconds_total";
constexpr const char* kGuestSeconds = "node_cpu_guest_seconds_total";

std::optional<double> cpuSeconds(const RecordingSampleWriter& out, const std::string& cpu,
                                 const std::string& mode) {
  return out.value(kCpuSeconds, {{"cpu", cpu}, {"mode", mode}});
}

class ProcStatCollectorTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  ThrottledLog log_{clock_};
  RecordingSampleWriter out_;
};

TEST_F(ProcStatCollectorTest, ReadsBasicHost) {
  PlainReadBatch batch(tidemark::testing::fixturePath("hosts/basic"));
  ProcStatCollector collector(log_);
  EXPECT_EQ(collector.name(), "proc_stat");
  tidemark::testing::collectPass(collector, batch, out_);

  // cpu0: 123456 789 45678 9876543 2345 0 678 12 300 7 ticks at USER_HZ 100.
  EXPECT_EQ(cpuSeconds(out_, "0", "user"), 1234.56);
  EXPECT_EQ(cpuSeconds(out_, "0", "nice"), 7.89);
  EXPECT_EQ(cpuSeconds(out_, "0", "system"), 456.78);
  EXPECT_EQ(cpuSeconds(out_, "0", "idle"), 98765.43);
  EXPECT_EQ(cpuSeconds(out_, "0", "iowait"), 23.45);
  EXPECT_EQ(cpuSeconds(out_, "0", "irq"), 0.0);
  EXPECT_EQ(cpuSeconds(out_, "0", "softirq"), 6.78);
  EXPECT_EQ(cpuSeconds(out_, "0", "steal"), 0.12);
  EXPECT_EQ(out_.value(kGuestSeconds, {{"cpu", "0"}, {"mode", "user"}}), 3.0);
  EXPECT_EQ(out_.value(kGuestSeconds, {{"cpu", "0"}, {"mode", "nice"}}), 0.07);
  EXPECT_EQ(cpuSeconds(out_, "3", "idle"), 99900.0);

  EXPECT_EQ(out_.count(kCpuSeconds), 4u * 8u);
  EXPECT_EQ(out_.count(kGuestSeconds), 4u * 2u);

  EXPECT_EQ(out_.value("node_context_switches_total"), 234567890.0);
  EXPECT_EQ(out_.value("node_intr_total"), 98765432.0);
  EXPECT_EQ(out_.value("node_forks_total"), 123456.0);
  EXPECT_EQ(out_.value("node_procs_running"), 3.0);
  EXPECT_EQ(out_.value("node_procs_blocked"), 1.0);
  EXPECT_EQ(out_.value("node_boot_time_seconds"), 1700000000.0);
  EXPECT_EQ(out_.samples.size(), 32u + 8u + 6u);
}

TEST_F(ProcStatCollectorTest, ReportsPerCpuOnlyWithCpuAndModeLabels) {
  PlainReadBatch batch(tidemark::testing::fixturePath("hosts/basic"));
  ProcStatCollector collector(log_);
  tidemark::testing::collectPass(collector, batch, out_);
  std::set<std::string> cpus;
  for (const auto& sample : out_.samples) {
    if (sample.name != kCpuSeconds && sample.name != kGuestSeconds) continue;
    ASSERT_EQ(sample.labels.size(), 2u);
    EXPECT_EQ(sample.labels[0].name, "cpu");
    EXPECT_EQ(sample.labels[1].name, "mode");
    cpus.insert(sample.labels[0].value);
  }
  EXPECT_EQ(cpus, (std::set<std::string>{"0", "1", "2", "3"}));
}

TEST_F(ProcStatCollectorTest, MalformedHostKeepsGoodLinesAndLogsBadOnes) {
  PlainReadBatch batch(tidemark::testing::fixturePath("hosts/malformed"));
  ProcStatCollector collector(log_);
  tidemark::testing::LogCapture capture;
  tidemark::testing::collectPass(collector, batch, out_);

  // cpu0 is complete (with guest), cpu3 lacks the optional guest columns.
  EXPECT_EQ(cpuSeconds(out_, "0", "user"), 1.0);
  EXPECT_EQ(out_.value(kGuestSeconds, {{"cpu", "0"}, {"mode", "nice"}}), 10.0);
  EXPECT_EQ(cpuSeconds(out_, "3", "steal"), 0.88);
  EXPECT_EQ(out_.count(kCpuSeconds), 16u);
  EXPECT_EQ(out_.count(kGuestSeconds), 2u);
  EXPECT_FALSE(cpuSeconds(out_, "1", "user").has_value());
  EXPECT_FALSE(cpuSeconds(out_, "2", "user").has_value());

  EXPECT_EQ(out_.value("node_boot_time_seconds"), 1700000000.0);
  EXPECT_EQ(out_.value("node_procs_running"), 2.0);
  for (const char* absent :
       {"node_intr_total", "node_context_switches_total", "node_forks_total", "node_procs_blocked"})
    EXPECT_EQ(out_.count(absent), 0u) << absent;

  EXPECT_EQ(capture.count("proc_stat: /proc/stat line 3 \"cpu1 12 x 3 4 5 6 7 8 0 0\": field 2 "
                          "(\"x\") is not a non-negative integer; line skipped"),
            1u)
      << capture.text();
  EXPECT_EQ(capture.count("line 4 \"cpu2 10 20 30\": has 3 time fields, expected at least 8"), 1u);
  EXPECT_EQ(capture.count("ctxt abc"), 1u);
  EXPECT_EQ(capture.count("processes -5"), 1u);
  EXPECT_EQ(capture.count("proc_stat:"), 7u) << capture.text();

  // Next interval: same data, nothing new logged.
  tidemark::testing::collectPass(collector, batch, out_);
  EXPECT_EQ(capture.count("proc_stat:"), 7u);
}

TEST_F(ProcStatCollectorTest, MissingFileEmitsNothingAndLogsOnce) {
  tidemark::testing::TempDir empty;
  PlainReadBatch batch(empty.str());
  ProcStatCollector collector(log_);
  tidemark::testing::LogCapture capture;
  tidemark::testing::collectPass(collector, batch, out_);
  tidemark::testing::collectPass(collector, batch, out_);
  EXPECT_TRUE(out_.samples.empty());
  EXPECT_EQ(capture.count("proc_stat: cannot read /proc/stat"), 1u) << capture.text();
}

TEST(ParseProcStatTest, SkipsAggregateLineAndUnknownLines) {
  RecordingSampleWriter out;
  ParseProblems problems("proc_stat", "/proc/stat");
  parseProcStat(R"(cpu  9 9 9 9 9 9 9 9 9 9
cpu12 100 0 0 0 0 0 0 0
softirq 1 2 3
page 5 6
)",
                out, problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(out.samples.size(), 8u);  // cpu12 without guest columns
  EXPECT_EQ(out.value(kCpuSeconds, {{"cpu", "12"}, {"mode", "user"}}), 1.0);
}

TEST(ParseProcStatTest, IgnoresColumnsBeyondGuestNice) {
  RecordingSampleWriter out;
  ParseProblems problems("proc_stat", "/proc/stat");
  parseProcStat("cpu0 1 2 3 4 5 6 7 8 9 10 11 12\n", out, problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(out.samples.size(), 10u);
  EXPECT_EQ(out.value(kGuestSeconds, {{"cpu", "0"}, {"mode", "nice"}}), 0.1);
}

TEST(ParseProcStatTest, BadInputNeverThrows) {
  for (const char* text : {"", "\n\n", "cpu", "cpu0", "cpu0 ", "cpu-1 1 2 3 4 5 6 7 8", "intr\tx",
                           "btime 99999999999999999999999", "\0\0\0"}) {
    RecordingSampleWriter out;
    ParseProblems problems("proc_stat", "/proc/stat");
    EXPECT_NO_THROW(parseProcStat(text, out, problems)) << text;
    EXPECT_TRUE(out.samples.empty()) << text;
  }
}

TEST(ParseProcStatTest, EmptyFileIsOneProblem) {
  RecordingSampleWriter out;
  ParseProblems problems("proc_stat", "/proc/stat");
  parseProcStat("", out, problems);
  ASSERT_EQ(problems.count(), 1u);
  EXPECT_EQ(problems.kept()[0].message, "proc_stat: /proc/stat: file is empty; no samples");
}

}  // namespace
}  // namespace tidemark::agent
