// Reads /proc/sys/fs/file-nr: allocated file handles and the system-wide maximum
// (node_filefd_allocated, node_filefd_maximum).
#pragma once

#include <string>
#include <string_view>

#include "agent/collectors/file_collector.h"
#include "agent/collectors/parse_util.h"
#include "common/logging/throttled_log.h"

namespace tidemark::agent {

// Writes the samples of file-nr `text` ("allocated unused maximum"); a bad field
// is skipped and reported.
void parseFileNr(std::string_view text, SampleWriter& out, ParseProblems& problems);

class FileNrCollector final : public FileCollector {
 public:
  explicit FileNrCollector(ThrottledLog& log)
      : FileCollector("file_nr", "/proc/sys/fs/file-nr", parseFileNr, log, {.one_record = true}) {}
};

}  // namespace tidemark::agent
