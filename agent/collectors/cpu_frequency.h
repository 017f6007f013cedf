// Reports each CPU's current clock (node_cpu_scaling_frequency_hertz) from
// /sys/devices/system/cpu/cpuN/cpufreq/scaling_cur_freq, re-read only every few minutes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/collector.h"
#include "agent/collectors/parse_util.h"
#include "agent/io/file_reader.h"
#include "common/logging/throttled_log.h"
#include "common/time/clock.h"

namespace tidemark::agent {

// Parses a scaling_cur_freq file (one number, in kHz) into hertz; false when it
// is not a number (some drivers print "<unknown>").
bool parseScalingCurFreq(std::string_view text, double& hertz);

// True when `entry` of /sys/devices/system/cpu is a CPU directory "cpu<N>"; sets
// `id` to "<N>". False for the siblings "cpufreq", "cpuidle", "possible", ...
bool parseCpuDirectoryName(std::string_view entry, std::string_view& id);

class CpuFrequencyCollector final : public Collector {
 public:
  // Reading scaling_cur_freq makes the driver query the hardware (tens of ms per
  // CPU), so the files are read at most once per `refresh_interval_ms` of
  // `clock`'s monotonic time; collections in between repeat the last values.
  CpuFrequencyCollector(FileReader& reader, ThrottledLog& log, const Clock& clock,
                        int64_t refresh_interval_ms = 300000)
      : reader_(reader), log_(log), clock_(clock), refresh_interval_ms_(refresh_interval_ms) {}

  std::string_view name() const override { return "cpu_frequency"; }
  void collect(SampleWriter& out) override;

 private:
  struct CpuFrequency {
    std::string cpu;  // the N of cpuN
    double hertz;
  };

  void refresh();
  void readCpu(std::string_view entry, std::string_view id);

  FileReader& reader_;
  ThrottledLog& log_;
  const Clock& clock_;
  int64_t refresh_interval_ms_;
  std::optional<int64_t> last_refresh_ms_;
  std::vector<CpuFrequency> cache_;
  std::vector<std::string> entries_;
  std::string path_;
  std::string buffer_;
  // VMs and some ARM boards have no cpufreq at all: say so once, not every refresh.
  bool reported_unavailable_ = false;
};

}  // namespace tidemark::agent
