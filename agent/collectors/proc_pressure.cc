#include "agent/collectors/proc_pressure.h"

#include <spdlog/fmt/fmt.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace tidemark::agent {
namespace {

constexpr double kMicrosecondsPerSecond = 1e6;

struct ResourceSpec {
  PressureResource resource;
  std::string_view path;
  std::string_view some_metric;
  std::string_view full_metric;  // empty: the line is not reported
};

constexpr std::array<ResourceSpec, 3> kResources = {{
    {PressureResource::kCpu, "/proc/pressure/cpu", "node_pressure_cpu_waiting_seconds_total", ""},
    {PressureResource::kMemory, "/proc/pressure/memory",
     "node_pressure_memory_waiting_seconds_total", "node_pressure_memory_stalled_seconds_total"},
    {PressureResource::kIo, "/proc/pressure/io", "node_pressure_io_waiting_seconds_total",
     "node_pressure_io_stalled_seconds_total"},
}};

const ResourceSpec& specFor(PressureResource resource) {
  for (const auto& spec : kResources)
    if (spec.resource == resource) return spec;
  return kResources[0];
}

// Writes the total of a "some|full avg10=.. avg60=.. avg300=.. total=N" line.
void parseStallLine(std::string_view line, size_t line_number, std::string_view metric,
                    SampleWriter& out, ParseProblems& problems) {
  FieldSplitter fields(line);
  std::string_view field;
  fields.next(field);  // the kind, already matched by the caller
  while (fields.next(field)) {
    if (!field.starts_with("total=")) continue;
    const std::string_view value_text = field.substr(6);
    uint64_t microseconds;
    if (!parseUint64(value_text, microseconds)) {
      problems.addLine(
          line_number, line,
          fmt::format("total {:?} is not a non-negative integer; {} skipped", value_text, metric));
      return;
    }
    out.add(metric, static_cast<double>(microseconds) / kMicrosecondsPerSecond);
    return;
  }
  problems.addLine(line_number, line, fmt::format("has no total=; {} skipped", metric));
}

bool isUnavailable(int error) { return error == ENOENT || error == EOPNOTSUPP; }

}  // namespace

void parsePressure(PressureResource resource, std::string_view text, SampleWriter& out,
                   ParseProblems& problems) {
  const ResourceSpec& spec = specFor(resource);
  bool saw_some = false;
  LineSplitter lines(text);
  std::string_view line;
  while (lines.next(line)) {
    FieldSplitter fields(line);
    std::string_view kind;
    if (!fields.next(kind)) continue;
    if (kind == "some") {
      saw_some = true;
      parseStallLine(line, lines.lineNumber(), spec.some_metric, out, problems);
    } else if (kind == "full") {
      if (!spec.full_metric.empty())
        parseStallLine(line, lines.lineNumber(), spec.full_metric, out, problems);
    } else {
      problems.addLine(lines.lineNumber(), line, "is neither a some nor a full line; skipped");
    }
  }
  if (!saw_some)
    problems.addFile(fmt::format("has no \"some\" line; {} not written", spec.some_metric));
}

void PressureCollector::prepare(ReadBatch& batch) {
  for (size_t i = 0; i < kResources.size(); ++i) batch.queueRead(kResources[i].path, slots_[i]);
}

void PressureCollector::collect(SampleWriter& out) {
  for (size_t i = 0; i < kResources.size(); ++i) {
    const ResourceSpec& spec = kResources[i];
    const int error = slots_[i].error;
    if (error != 0 && spec.resource == PressureResource::kCpu && isUnavailable(error)) {
      if (!reported_unavailable_) {
        log_.warn("proc_pressure:unavailable",
                  fmt::format("proc_pressure: {} is absent (errno {}): the kernel has no pressure "
                              "stall information (PSI) or was booted with psi=0; pressure "
                              "metrics are not collected on this host",
                              spec.path, error));
        reported_unavailable_ = true;
      }
      return;
    }
    if (spec.resource == PressureResource::kCpu) reported_unavailable_ = false;
    if (error != 0) {
      log_.warn(fmt::format("proc_pressure:{}:read", spec.path),
                fmt::format("proc_pressure: cannot read {}: {} (errno {}); no samples from it "
                            "this interval",
                            spec.path, std::strerror(error), error));
      continue;
    }
    ParseProblems problems(name(), spec.path);
    parsePressure(spec.resource, slots_[i].data, out, problems);
    problems.logTo(log_);
  }
}

}  // namespace tidemark::agent
