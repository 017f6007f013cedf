#include "agent/collectors/proc_diskstats.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "agent/io/plain_read_batch.h"
#include "common/time/clock.h"
#include "tests/support/recording_sample_writer.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::RecordingSampleWriter;

std::set<std::string> devicesOf(const RecordingSampleWriter& out, const std::string& metric) {
  std::set<std::string> devices;
  for (const auto& s : out.samples)
    if (s.name == metric) devices.insert(s.labels.at(0).value);
  return devices;
}

class DiskstatsCollectorTest : public ::testing::Test {
 protected:
  std::optional<double> disk(const std::string& metric, const std::string& device) {
    return out_.value(metric, {{"device", device}});
  }

  ManualClock clock_;
  ThrottledLog log_{clock_};
  RecordingSampleWriter out_;
};

TEST_F(DiskstatsCollectorTest, ReadsWholeDisksOfBasicHost) {
  PlainReadBatch batch(tidemark::testing::fixturePath("hosts/basic"));
  DiskstatsCollector collector(log_);
  EXPECT_EQ(collector.name(), "proc_diskstats");
  tidemark::testing::LogCapture logs;
  tidemark::testing::collectPass(collector, batch, out_);
  EXPECT_EQ(logs.text(), "");

  // Partitions, loop and zram devices are left out; dm-0 is a whole device.
  EXPECT_EQ(devicesOf(out_, "node_disk_reads_completed_total"),
            (std::set<std::string>{"nvme0n1", "sda", "dm-0"}));

  EXPECT_EQ(disk("node_disk_reads_completed_total", "nvme0n1"), 146510.0);
  EXPECT_EQ(disk("node_disk_reads_merged_total", "nvme0n1"), 5218.0);
  EXPECT_EQ(disk("node_disk_read_bytes_total", "nvme0n1"), 11213674.0 * 512);
  EXPECT_EQ(disk("node_disk_read_time_seconds_total", "nvme0n1"), 36.15);
  EXPECT_EQ(disk("node_disk_writes_completed_total", "nvme0n1"), 453221.0);
  EXPECT_EQ(disk("node_disk_writes_merged_total", "nvme0n1"), 298710.0);
  EXPECT_EQ(disk("node_disk_written_bytes_total", "nvme0n1"), 19384450.0 * 512);
  EXPECT_EQ(disk("node_disk_write_time_seconds_total", "nvme0n1"), 310.235);
  EXPECT_EQ(disk("node_disk_io_now", "nvme0n1"), 2.0);
  EXPECT_EQ(disk("node_disk_io_time_seconds_total", "nvme0n1"), 265.88);
  EXPECT_EQ(disk("node_disk_io_time_weighted_seconds_total", "nvme0n1"), 361.027);
  EXPECT_EQ(disk("node_disk_discards_completed_total", "nvme0n1"), 12580.0);
  EXPECT_EQ(disk("node_disk_discards_merged_total", "nvme0n1"), 7.0);
  EXPECT_EQ(disk("node_disk_discarded_sectors_total", "nvme0n1"), 8912336.0);
  EXPECT_EQ(disk("node_disk_discard_time_seconds_total", "nvme0n1"), 0.52);
  EXPECT_EQ(disk("node_disk_flush_requests_total", "nvme0n1"), 40123.0);
  EXPECT_EQ(disk("node_disk_flush_requests_time_seconds_total", "nvme0n1"), 14.122);

  EXPECT_EQ(disk("node_disk_read_bytes_total", "sda"), 1579200.0 * 512);
  EXPECT_EQ(disk("node_disk_written_bytes_total", "dm-0"), 19280000.0 * 512);
  // 17 metrics for each of the three disks, nothing else.
  EXPECT_EQ(out_.samples.size(), 17u * 3u);
}

TEST_F(DiskstatsCollectorTest, SkipsBadLinesAndKeepsOlderKernelLayouts) {
  PlainReadBatch batch(tidemark::testing::fixturePath("hosts/malformed"));
  DiskstatsCollector collector(log_);
  tidemark::testing::LogCapture logs;
  tidemark::testing::collectPass(collector, batch, out_);

  EXPECT_EQ(devicesOf(out_, "node_disk_reads_completed_total"),
            (std::set<std::string>{"nvme0n1", "sdc", "dm-1"}));
  // sdc has the 11 counters of kernels before 4.18: no discard or flush series.
  EXPECT_EQ(disk("node_disk_io_time_weighted_seconds_total", "sdc"), 0.06);
  EXPECT_FALSE(disk("node_disk_discards_completed_total", "sdc"));
  EXPECT_FALSE(disk("node_disk_flush_requests_total", "sdc"));
  // dm-1 has the 15 of kernels 4.18 to 5.4: discards but no flushes.
  EXPECT_EQ(disk("node_disk_discarded_sectors_total", "dm-1"), 24.0);
  EXPECT_FALSE(disk("node_disk_flush_requests_total", "dm-1"));
  EXPECT_EQ(out_.samples.size(), 17u + 11u + 15u);

  EXPECT_EQ(logs.count("proc_diskstats: /proc/diskstats line 2 "), 1u);
  EXPECT_EQ(logs.count("9 fields, need at least 14; line skipped"), 1u);
  EXPECT_EQ(logs.count("line 3 "), 1u);
  EXPECT_EQ(logs.count("field 6 (\"abc\") is not a counter; line skipped"), 1u);
  EXPECT_EQ(logs.count("field 19 (\"-3\") is not a counter; line skipped"), 1u);
  EXPECT_EQ(logs.count("10 fields, need at least 14"), 1u);
}

TEST_F(DiskstatsCollectorTest, LogsMissingFileWithoutSamples) {
  tidemark::testing::TempDir root;
  PlainReadBatch batch(root.str());
  DiskstatsCollector collector(log_);
  tidemark::testing::LogCapture logs;
  tidemark::testing::collectPass(collector, batch, out_);
  EXPECT_TRUE(out_.samples.empty());
  EXPECT_EQ(logs.count("proc_diskstats: cannot read /proc/diskstats"), 1u);
}

TEST(DiskDeviceFilterTest, MatchesNodeExporterDefaultPattern) {
  const std::regex pattern(R"(^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$)");
  const char* names[] = {
      "sda",      "sda1",     "sdb12",     "sdaa1",   "hda3",      "vda",         "vda1",
      "xvda1",    "xvdb",     "xda1",      "nvme0n1", "nvme0n1p1", "nvme12n3p45", "nvme0n1p",
      "nvmen1p1", "nvme0np1", "nvme0c0n1", "ram0",    "zram0",     "zram",        "ram",
      "loop0",    "loop",     "loop12",    "fd0",     "fd",        "dm-0",        "md0",
      "md127",    "mmcblk0",  "mmcblk0p1", "sr0",     "rbd0",      "nbd0",        "",
      "1",        "sd1",      "sdA1",      "zloop0",  "bcache0",   "drbd1",
  };
  for (const char* name : names) {
    EXPECT_EQ(isExcludedDiskDevice(name), std::regex_match(name, pattern)) << name;
  }
}

}  // namespace
}  // namespace tidemark::agent
