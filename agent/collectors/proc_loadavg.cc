#include "agent/collectors/proc_loadavg.h"

#include <spdlog/fmt/fmt.h>

#include <array>

namespace tidemark::agent {
namespace {

constexpr std::array<std::string_view, 3> kMetrics = {"node_load1", "node_load5", "node_load15"};

}  // namespace

void parseLoadavg(std::string_view text, SampleWriter& out, ParseProblems& problems) {
  LineSplitter lines(text);
  std::string_view line;
  if (!lines.next(line) || trimSpace(line).empty()) {
    problems.addFile("file is empty; no samples");
    return;
  }
  std::array<std::string_view, kMetrics.size()> fields;
  const size_t count = splitFields(line, fields);
  // Fewer than three fields means the read was cut short; the last one may be cut too.
  if (count < kMetrics.size()) {
    problems.addLine(
        lines.lineNumber(), line,
        fmt::format("has {} fields, expected at least {}; line skipped", count, kMetrics.size()));
    return;
  }
  for (size_t i = 0; i < kMetrics.size(); ++i) {
    double value;
    if (parseDouble(fields[i], value) && value >= 0) {
      out.add(kMetrics[i], value);
    } else {
      problems.addLine(lines.lineNumber(), line,
                       fmt::format("field {} ({:?}) is not a load average; {} skipped", i + 1,
                                   fields[i], kMetrics[i]));
    }
  }
}

}  // namespace tidemark::agent
