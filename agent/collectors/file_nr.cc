#include "agent/collectors/file_nr.h"

#include <spdlog/fmt/fmt.h>

#include <array>
#include <cstdint>

namespace tidemark::agent {
namespace {


// The middle field (free handles) has always been 0 since Linux 2.6 and is not reported.
constexpr size_t kAllocatedField = 0;
constexpr size_t kMaximumField = 2;

void addField(std::string_view line, size_t line_number, std::string_view value_text, size_t index,
              std::string_view metric, SampleWriter& out, ParseProblems& problems) {
  uint64_t value;
  if (parseUint64(value_text, value)) {
    out.add(metric, static_cast<double>(value));
  } else {
    problems.addLine(line_number, line,
                     fmt::format("field {} ({:?}) is not a non-negative integer; {} skipped",
                                 index + 1, value_text, metric));
  }
}

}  // namespace

void parseFileNr(std::string_view text, SampleWriter& out, ParseProblems& problems) {
  LineSplitter lines(text);
  std::string_view line;
  if (!lines.next(line) || trimSpace(line).empty()) {
    problems.addFile("file is empty; no samples");
    return;
  }
  std::array<std::string_view, 3> fields;
  const size_t count = splitFields(line, fields);
  // With fewer than three fields the read was cut short and the last one may be cut too.
  if (count < fields.size()) {
    problems.addLine(lines.lineNumber(), line,
                     fmt::format("has {} fields, expected 3; line skipped", count));
    return;
  }
  addField(line, lines.lineNumber(), fields[kAllocatedField], kAllocatedField,
           "node_filefd_allocated", out, problems);
  addField(line, lines.lineNumber(), fields[kMaximumField], kMaximumField, "node_filefd_maximum",
           out, problems);
}

}  // namespace tidemark::agent
