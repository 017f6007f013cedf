#include "common/metrics/series_rules.h"

namespace tidemark {

std::string checkSeriesShape(std::string_view name, const Labels& labels,
                             const SeriesShapeLimits& limits) {
  if (!isValidMetricName(name) || name.size() > limits.max_name_bytes) {
    return "invalid metric name \"" + std::string(name.substr(0, 64)) + "\"";
  }
  const std::string series(name.substr(0, 64));
  if (labels.size() > limits.max_labels) {
    return "series " + series + ": " + std::to_string(labels.size()) + " labels, the limit is " +
           std::to_string(limits.max_labels);
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    const auto& label = labels[i];
    if (!isValidLabelName(label.name) || label.name.size() > limits.max_name_bytes ||
        label.name == "host") {
      return "series " + series + ": invalid label name \"" + label.name.substr(0, 64) + "\"";
    }
    if (label.value.size() > limits.max_name_bytes) {
      return "series " + series + ": value of label " + label.name + " is longer than " +
             std::to_string(limits.max_name_bytes) + " bytes";
    }
    if (i > 0 && !(labels[i - 1].name < label.name)) {
      return "series " + series + ": labels not sorted or duplicated at \"" + label.name + "\"";
    }
  }
  return {};
}

}  // namespace tidemark
