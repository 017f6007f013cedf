// Reads /proc/vmstat, keeping node_exporter's default fields: page faults, paging
// and swapping I/O, OOM kills (node_vmstat_<field>).
#pragma once

#include <string>
#include <string_view>

#include "agent/collectors/file_collector.h"
#include "agent/collectors/parse_util.h"
#include "common/logging/throttled_log.h"

namespace tidemark::agent {

// Writes the selected fields of /proc/vmstat `text`; other fields are ignored, a
// bad selected line is skipped and reported.
void parseVmstat(std::string_view text, SampleWriter& out, ParseProblems& problems);

class VmstatCollector final : public FileCollector {
 public:
  explicit VmstatCollector(ThrottledLog& log)
      : FileCollector("proc_vmstat", "/proc/vmstat", parseVmstat, log,
                      // One line per counter: a name (the longest has 32 bytes) and a number.
                      {.max_record_bytes = 64}) {}
};

}  // namespace tidemark::agent
