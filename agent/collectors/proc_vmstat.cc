#include "agent/collectors/proc_vmstat.h"

#include <spdlog/fmt/fmt.h>

#include <array>
#include <cstdint>

namespace tidemark::agent {
namespace {


struct Field {
  std::string_view key;
  std::string_view metric;
};

// node_exporter's default --collector.vmstat.fields, ^(oom_kill|pgpg|pswp|pg.*fault).*,
// as it matches on current kernels.
constexpr std::array<Field, 7> kFields = {{
    {"pgpgin", "node_vmstat_pgpgin"},
    {"pgpgout", "node_vmstat_pgpgout"},
    {"pswpin", "node_vmstat_pswpin"},
    {"pswpout", "node_vmstat_pswpout"},
    {"pgfault", "node_vmstat_pgfault"},
    {"pgmajfault", "node_vmstat_pgmajfault"},
    {"oom_kill", "node_vmstat_oom_kill"},
}};

const Field* findField(std::string_view key) {
  for (const auto& field : kFields)
    if (field.key == key) return &field;
  return nullptr;
}

}  // namespace

void parseVmstat(std::string_view text, SampleWriter& out, ParseProblems& problems) {
  if (trimSpace(text).empty()) {
    problems.addFile("file is empty; no samples");
    return;
  }
  LineSplitter lines(text);
  std::string_view line;
  while (lines.next(line)) {
    std::array<std::string_view, 2> parts;
    const size_t count = splitFields(line, parts);
    if (count == 0) continue;
    const Field* field = findField(parts[0]);
    if (field == nullptr) continue;  // the other ~180 fields are not collected
    uint64_t value;
    if (count != 2) {
      problems.addLine(
          lines.lineNumber(), line,
          fmt::format("has {} fields, expected \"name value\"; {} skipped", count, field->metric));
    } else if (!parseUint64(parts[1], value)) {
      problems.addLine(lines.lineNumber(), line,
                       fmt::format("value {:?} is not a non-negative integer; {} skipped", parts[1],
                                   field->metric));
    } else {
      out.add(field->metric, static_cast<double>(value));
    }
  }
}

}  // namespace tidemark::agent
