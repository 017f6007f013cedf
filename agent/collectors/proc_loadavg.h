// Reads /proc/loadavg: the 1, 5 and 15 minute load averages (node_load1/5/15).
#pragma once

#include <string>
#include <string_view>

#include "agent/collectors/file_collector.h"
#include "agent/collectors/parse_util.h"
#include "common/logging/throttled_log.h"

namespace tidemark::agent {

// Writes the load averages of /proc/loadavg `text`; a bad field is skipped and reported.
void parseLoadavg(std::string_view text, SampleWriter& out, ParseProblems& problems);

class LoadavgCollector final : public FileCollector {
 public:
  explicit LoadavgCollector(ThrottledLog& log)
      : FileCollector("proc_loadavg", "/proc/loadavg", parseLoadavg, log, {.one_record = true}) {}
};

}  // namespace tidemark::agent
