#include "agent/collectors/proc_stat.h"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace tidemark::agent {
namespace {


// Column order of a "cpuN" line after the name. user and nice already include the
// guest columns (the kernel double-counts them), as in node_exporter.
constexpr std::array<std::string_view, 8> kModes = {"user",   "nice", "system",  "idle",
                                                    "iowait", "irq",  "softirq", "steal"};
constexpr std::array<std::string_view, 2> kGuestModes = {"user", "nice"};
constexpr size_t kMaxCpuFields = kModes.size() + kGuestModes.size();

bool isDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  return true;
}

// Single-value lines: the first number after the key is the sample.
struct ScalarLine {
  std::string_view key;
  std::string_view metric;
};
constexpr std::array<ScalarLine, 6> kScalarLines = {{
    {"ctxt", "node_context_switches_total"},
    {"intr", "node_intr_total"},
    {"processes", "node_forks_total"},
    {"procs_running", "node_procs_running"},
    {"procs_blocked", "node_procs_blocked"},
    {"btime", "node_boot_time_seconds"},
}};

void parseCpuLine(std::string_view line, size_t line_number, std::string_view cpu,
                  SampleWriter& out, ParseProblems& problems) {
  // fields[0] is the "cpuN" name itself.
  std::array<std::string_view, kMaxCpuFields + 1> fields;
  const size_t count = std::min(splitFields(line, fields), fields.size());
  const size_t values = count - 1;
  if (values < kModes.size()) {
    problems.addLine(line_number, line,
                     fmt::format("has {} time fields, expected at least {}; line skipped", values,
                                 kModes.size()));
    return;
  }
  // Check every column before writing any, so a bad line yields no partial CPU.
  std::array<uint64_t, kMaxCpuFields> ticks{};
  for (size_t i = 0; i < values; ++i) {
    if (!parseUint64(fields[i + 1], ticks[i])) {
      problems.addLine(line_number, line,
                       fmt::format("field {} ({:?}) is not a non-negative integer; line skipped",
                                   i + 1, fields[i + 1]));
      return;
    }
  }
  for (size_t i = 0; i < kModes.size(); ++i)
    out.add("node_cpu_seconds_total", static_cast<double>(ticks[i]) / kUserHz,
            {{"cpu", cpu}, {"mode", kModes[i]}});
  for (size_t i = 0; i < kGuestModes.size() && kModes.size() + i < values; ++i)
    out.add("node_cpu_guest_seconds_total", static_cast<double>(ticks[kModes.size() + i]) / kUserHz,
            {{"cpu", cpu}, {"mode", kGuestModes[i]}});
}

void parseScalarLine(std::string_view line, size_t line_number, const ScalarLine& spec,
                     SampleWriter& out, ParseProblems& problems) {
  std::array<std::string_view, 2> fields;
  uint64_t value;
  if (splitFields(line, fields) < 2) {
    problems.addLine(line_number, line, "has no value; line skipped");
  } else if (!parseUint64(fields[1], value)) {
    problems.addLine(
        line_number, line,
        fmt::format("value {:?} is not a non-negative integer; line skipped", fields[1]));
  } else {
    out.add(spec.metric, static_cast<double>(value));
  }
}

}  // namespace

void parseProcStat(std::string_view text, SampleWriter& out, ParseProblems& problems) {
  if (trimSpace(text).empty()) {
    problems.addFile("file is empty; no samples");
    return;
  }
  LineSplitter lines(text);
  std::string_view line;
  while (lines.next(line)) {
    FieldSplitter fields(line);
    std::string_view key;
    if (!fields.next(key)) continue;
    if (key.starts_with("cpu")) {
      const std::string_view cpu = key.substr(3);
      if (cpu.empty()) continue;  // the all-CPU total; node_exporter reports per CPU only
      if (!isDigits(cpu)) {
        problems.addLine(lines.lineNumber(), line, "CPU name is not cpu<number>; line skipped");
        continue;
      }
      parseCpuLine(line, lines.lineNumber(), cpu, out, problems);
      continue;
    }
    for (const auto& spec : kScalarLines) {
      if (key == spec.key) {
        parseScalarLine(line, lines.lineNumber(), spec, out, problems);
        break;
      }
    }
  }
}

}  // namespace tidemark::agent
