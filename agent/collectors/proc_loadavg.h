// Reads /proc/loadavg: the 1, 5 and 15 minute load averages (node_load1/5/15).
#pragma once

#include <string>
#include <string_view>

#include "agent/collectors/collector.h"
#include "agent/collectors/parse_util.h"
#include "agent/io/file_reader.h"
#include "common/logging/throttled_log.h"

namespace tidemark::agent {

// Writes the load averages of /proc/loadavg `text`; a bad field is skipped and reported.
void parseLoadavg(std::string_view text, SampleWriter& out, ParseProblems& problems);

class LoadavgCollector final : public Collector {
 public:
  LoadavgCollector(FileReader& reader, ThrottledLog& log) : reader_(reader), log_(log) {}

  std::string_view name() const override { return "proc_loadavg"; }
  void collect(SampleWriter& out) override;

 private:
  FileReader& reader_;
  ThrottledLog& log_;
  std::string buffer_;
};

}  // namespace tidemark::agent
