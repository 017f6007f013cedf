// Reads /proc/meminfo, every field, named as node_exporter names them: memory,
// swap, slab, huge pages (node_memory_<Field>_bytes, or node_memory_<Field>).
#pragma once

#include <string>
#include <string_view>

#include "agent/collectors/file_collector.h"
#include "agent/collectors/parse_util.h"
#include "common/logging/throttled_log.h"

namespace tidemark::agent {

// Writes one sample per line of /proc/meminfo `text`: "Key: N kB" becomes
// node_memory_Key_bytes = N*1024, "Key: N" becomes node_memory_Key = N, and
// "Active(anon)" becomes "Active_anon". Bad lines are skipped and reported.
void parseMeminfo(std::string_view text, SampleWriter& out, ParseProblems& problems);

class MeminfoCollector final : public FileCollector {
 public:
  explicit MeminfoCollector(ThrottledLog& log)
      : FileCollector("proc_meminfo", "/proc/meminfo", parseMeminfo, log, {.one_record = true}) {}
};

}  // namespace tidemark::agent
