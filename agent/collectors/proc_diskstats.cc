#include "agent/collectors/proc_diskstats.h"

#include <spdlog/fmt/fmt.h>

#include <array>
#include <cstdint>

#include "common/metrics/series.h"

namespace tidemark::agent {
namespace {


// Layout: major minor device, then the counters. Kernels before 4.18 print 11
// counters, 4.18 adds 4 discard counters and 5.5 adds 2 flush counters.
constexpr size_t kDeviceField = 2;
constexpr size_t kFirstCounter = 3;
constexpr size_t kBaseFields = kFirstCounter + 11;
constexpr size_t kDiscardFields = kBaseFields + 4;
constexpr size_t kFlushFields = kDiscardFields + 2;

// value = counter * multiplier / divisor. Dividing by 1000 rather than multiplying
// by 0.001 gives the correctly rounded seconds (36150 ms is exactly 36.15).
struct Counter {
  std::string_view metric;
  double multiplier = 1;
  double divisor = 1;
};

constexpr double kSectorBytes = 512;  // diskstats counts 512-byte sectors whatever the disk's
constexpr double kMsPerSecond = 1000;

// In the kernel's order (Documentation/admin-guide/iostats.rst), starting at kFirstCounter.
constexpr std::array<Counter, kFlushFields - kFirstCounter> kCounters = {{
    {"node_disk_reads_completed_total"},
    {"node_disk_reads_merged_total"},
    {"node_disk_read_bytes_total", kSectorBytes},
    {"node_disk_read_time_seconds_total", 1, kMsPerSecond},
    {"node_disk_writes_completed_total"},
    {"node_disk_writes_merged_total"},
    {"node_disk_written_bytes_total", kSectorBytes},
    {"node_disk_write_time_seconds_total", 1, kMsPerSecond},
    {"node_disk_io_now"},
    {"node_disk_io_time_seconds_total", 1, kMsPerSecond},
    {"node_disk_io_time_weighted_seconds_total", 1, kMsPerSecond},
    {"node_disk_discards_completed_total"},
    {"node_disk_discards_merged_total"},
    {"node_disk_discarded_sectors_total"},  // node_exporter keeps these in sectors
    {"node_disk_discard_time_seconds_total", 1, kMsPerSecond},
    {"node_disk_flush_requests_total"},
    {"node_disk_flush_requests_time_seconds_total", 1, kMsPerSecond},
}};

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isLower(char c) { return c >= 'a' && c <= 'z'; }

// Consumes one or more leading digits of `text`.
bool consumeDigits(std::string_view& text) {
  size_t n = 0;
  while (n < text.size() && isDigit(text[n])) ++n;
  text.remove_prefix(n);
  return n > 0;
}

// nvme\d+n\d+p, the whole of `prefix`.
bool isNvmePartitionPrefix(std::string_view prefix) {
  if (!prefix.starts_with("nvme")) return false;
  prefix.remove_prefix(4);
  if (!consumeDigits(prefix) || prefix.empty() || prefix.front() != 'n') return false;
  prefix.remove_prefix(1);
  return consumeDigits(prefix) && prefix == "p";
}

void parseLine(std::string_view line, size_t line_number, SampleWriter& out,
               ParseProblems& problems) {
  std::array<std::string_view, kFlushFields> fields;
  const size_t count = splitFields(line, fields);
  if (count == 0) return;
  if (count < kBaseFields) {
    problems.addLine(line_number, line,
                     fmt::format("{} fields, need at least {}; line skipped", count, kBaseFields));
    return;
  }
  const std::string_view device = fields[kDeviceField];
  if (isExcludedDiskDevice(device)) return;

  // Counter groups are all-or-nothing: a kernel prints a whole group or none of it.
  const size_t used = count >= kFlushFields     ? kFlushFields
                      : count >= kDiscardFields ? kDiscardFields
                                                : kBaseFields;
  std::array<uint64_t, kCounters.size()> values;
  for (size_t i = kFirstCounter; i < used; ++i) {
    if (!parseUint64(fields[i], values[i - kFirstCounter])) {
      problems.addLine(
          line_number, line,
          fmt::format("field {} ({:?}) is not a counter; line skipped", i + 1, fields[i]));
      return;
    }
  }
  const LabelView labels[] = {{"device", device}};
  for (size_t i = 0; i < used - kFirstCounter; ++i) {
    const Counter& counter = kCounters[i];
    out.add(counter.metric, static_cast<double>(values[i]) * counter.multiplier / counter.divisor,
            labels);
  }
}

}  // namespace

bool isExcludedDiskDevice(std::string_view device) {
  // Every alternative of the pattern ends in a non-digit, so the trailing \d+ is
  // exactly the maximal run of digits at the end of the name.
  size_t digits = 0;
  while (digits < device.size() && isDigit(device[device.size() - 1 - digits])) ++digits;
  if (digits == 0) return false;
  const std::string_view prefix = device.substr(0, device.size() - digits);
  if (prefix == "ram" || prefix == "zram" || prefix == "loop" || prefix == "fd") return true;
  // (h|s|v|xv)d[a-z]
  if (prefix.size() >= 3 && isLower(prefix.back()) && prefix[prefix.size() - 2] == 'd') {
    const std::string_view kind = prefix.substr(0, prefix.size() - 2);
    if (kind == "h" || kind == "s" || kind == "v" || kind == "xv") return true;
  }
  return isNvmePartitionPrefix(prefix);
}

void parseDiskstats(std::string_view text, SampleWriter& out, ParseProblems& problems) {
  if (trimSpace(text).empty()) {
    problems.addFile("file is empty; no samples");
    return;
  }
  LineSplitter lines(text);
  std::string_view line;
  while (lines.next(line)) parseLine(line, lines.lineNumber(), out, problems);
}

}  // namespace tidemark::agent
