#include "agent/collectors/proc_meminfo.h"

#include <spdlog/fmt/fmt.h>

#include <array>

#include "common/metrics/series.h"

namespace tidemark::agent {
namespace {

constexpr std::string_view kPrefix = "node_memory_";
constexpr std::string_view kBytesSuffix = "_bytes";

// Builds the metric name in a stack buffer so a steady-state pass does not allocate.
// Real keys are under 20 characters; a longer one is garbage.
class MetricName {
 public:
  static constexpr size_t kCapacity = 96;

  bool append(std::string_view part) {
    if (size_ + part.size() > kCapacity) return false;
    part.copy(data_.data() + size_, part.size());
    size_ += part.size();
    return true;
  }
  std::string_view view() const { return {data_.data(), size_}; }

 private:
  std::array<char, kCapacity> data_;
  size_t size_ = 0;
};

// node_exporter rewrites the key with the regex \((.*)\) -> _$1: from the first
// '(' to the last ')' the parentheses go and an '_' comes before the inside.
bool appendKey(std::string_view key, MetricName& name) {
  const size_t open = key.find('(');
  const size_t close = key.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return name.append(key);
  return name.append(key.substr(0, open)) && name.append("_") &&
         name.append(key.substr(open + 1, close - open - 1)) && name.append(key.substr(close + 1));
}

void parseLine(std::string_view line, size_t line_number, SampleWriter& out,
               ParseProblems& problems) {
  std::array<std::string_view, 3> fields;
  const size_t count = splitFields(line, fields);
  if (count == 0) return;  // blank lines occur on some kernels; node_exporter skips them too
  if (count < 2 || count > 3) {
    problems.addLine(
        line_number, line,
        fmt::format("has {} fields, expected \"Key: value [kB]\"; line skipped", count));
    return;
  }
  std::string_view key = fields[0];
  if (key.size() < 2 || key.back() != ':') {
    problems.addLine(line_number, line, "key does not end in ':'; line skipped");
    return;
  }
  key.remove_suffix(1);
  double value;
  if (!parseDouble(fields[1], value)) {
    problems.addLine(line_number, line,
                     fmt::format("value {:?} is not a number; line skipped", fields[1]));
    return;
  }
  const bool in_kb = count == 3;
  if (in_kb && fields[2] != "kB") {
    problems.addLine(line_number, line,
                     fmt::format("unit {:?} is not kB; line skipped", fields[2]));
    return;
  }
  MetricName name;
  if (!name.append(kPrefix) || !appendKey(key, name) || (in_kb && !name.append(kBytesSuffix)) ||
      !isValidMetricName(name.view())) {
    problems.addLine(line_number, line, "key does not make a valid metric name; line skipped");
    return;
  }
  out.add(name.view(), in_kb ? value * 1024 : value);
}

}  // namespace

void parseMeminfo(std::string_view text, SampleWriter& out, ParseProblems& problems) {
  if (trimSpace(text).empty()) {
    problems.addFile("file is empty; no samples");
    return;
  }
  LineSplitter lines(text);
  std::string_view line;
  while (lines.next(line)) parseLine(line, lines.lineNumber(), out, problems);
}

}  // namespace tidemark::agent
