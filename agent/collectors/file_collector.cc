#include "agent/collectors/file_collector.h"

namespace tidemark::agent {

void FileCollector::collect(SampleWriter& out) {
  if (!slotOrLog(slot_, log_, name_, path_)) return;
  ParseProblems problems(name_, path_);
  parse_(slot_.data, out, problems);
  problems.logTo(log_);
}

}  // namespace tidemark::agent
