// Reads /proc/stat: per-CPU time by mode, context switches, interrupts, forks,
// runnable/blocked tasks and boot time, named as node_exporter names them.
#pragma once

#include <string>
#include <string_view>

#include "agent/collectors/file_collector.h"
#include "agent/collectors/parse_util.h"
#include "common/logging/throttled_log.h"

namespace tidemark::agent {

// /proc/stat counts CPU time in USER_HZ ticks, which the kernel fixes at 100 for
// userspace whatever CONFIG_HZ is.
inline constexpr double kUserHz = 100.0;

// Writes the samples of /proc/stat `text`; bad lines are skipped and reported.
void parseProcStat(std::string_view text, SampleWriter& out, ParseProblems& problems);

class ProcStatCollector final : public FileCollector {
 public:
  explicit ProcStatCollector(ThrottledLog& log)
      : FileCollector("proc_stat", "/proc/stat", parseProcStat, log, {.one_record = true}) {}
};

}  // namespace tidemark::agent
