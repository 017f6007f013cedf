// A series is (host, metric name, sorted labels). These are the plain value types
// that every layer passes around; the host travels beside them, not as a label.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tidemark {

struct Label {
  std::string name;
  std::string value;
  friend bool operator==(const Label&, const Label&) = default;
  friend auto operator<=>(const Label&, const Label&) = default;
};

using Labels = std::vector<Label>;

// A borrowed label, for hot paths that must not allocate.
struct LabelView {
  std::string_view name;
  std::string_view value;
};

// Sorts by label name; series identity depends on label order being canonical.
void sortLabels(Labels& labels);

// Appends `value` double-quoted as a Prometheus label value (\\, \" and newline escaped),
// as the exposition format and PromQL both write it.
void appendQuotedLabelValue(std::string& out, std::string_view value);

// Renders `name{a="x",b="y"}` in Prometheus exposition style (values escaped).
std::string formatSeries(std::string_view name, const Labels& labels);

// True when `name` is a valid Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*).
bool isValidMetricName(std::string_view name);

// True when `name` is a valid Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*).
bool isValidLabelName(std::string_view name);

}  // namespace tidemark
