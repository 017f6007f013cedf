#include "agent/collectors/file_collector.h"

namespace tidemark::agent {

void FileCollector::collect(SampleWriter& out) {
  if (!readOrLog(reader_, log_, name_, path_, buffer_)) return;
  ParseProblems problems(name_, path_);
  parse_(buffer_, out, problems);
  problems.logTo(log_);
}

}  // namespace tidemark::agent
