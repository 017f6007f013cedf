// Reads /proc/diskstats: per-disk I/O counters under node_exporter's node_disk_*
// names, for whole disks only (partitions, ram, loop and floppy devices are skipped).
#pragma once

#include <string>
#include <string_view>

#include "agent/collectors/file_collector.h"
#include "agent/collectors/parse_util.h"
#include "common/logging/throttled_log.h"

namespace tidemark::agent {

// True for the devices node_exporter skips by default, i.e. names matching
// ^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$ ("sda1", "nvme0n1p2", "loop0").
bool isExcludedDiskDevice(std::string_view device);

// Writes the samples of /proc/diskstats `text`; a bad line is skipped and reported.
void parseDiskstats(std::string_view text, SampleWriter& out, ParseProblems& problems);

class DiskstatsCollector final : public FileCollector {
 public:
  // No record bound: the kernel writes a disk and all its partitions as one record.
  explicit DiskstatsCollector(ThrottledLog& log)
      : FileCollector("proc_diskstats", "/proc/diskstats", parseDiskstats, log) {}
};

}  // namespace tidemark::agent
