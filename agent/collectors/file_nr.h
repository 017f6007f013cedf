// Reads /proc/sys/fs/file-nr: allocated file handles and the system-wide maximum
// (node_filefd_allocated, node_filefd_maximum).
#pragma once

#include <string>
#include <string_view>

#include "agent/collectors/collector.h"
#include "agent/collectors/parse_util.h"
#include "agent/io/file_reader.h"
#include "common/logging/throttled_log.h"

namespace tidemark::agent {

// Writes the samples of file-nr `text` ("allocated unused maximum"); a bad field
// is skipped and reported.
void parseFileNr(std::string_view text, SampleWriter& out, ParseProblems& problems);

class FileNrCollector final : public Collector {
 public:
  FileNrCollector(FileReader& reader, ThrottledLog& log) : reader_(reader), log_(log) {}

  std::string_view name() const override { return "file_nr"; }
  void collect(SampleWriter& out) override;

 private:
  FileReader& reader_;
  ThrottledLog& log_;
  std::string buffer_;
};

}  // namespace tidemark::agent
