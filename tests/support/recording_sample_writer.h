// A SampleWriter that keeps every sample, for asserting what a collector wrote.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/collectors/sample_writer.h"
#include "common/metrics/series.h"

namespace tidemark::testing {

struct RecordedSample {
  std::string name;
  Labels labels;  // sorted by name
  double value;
};

class RecordingSampleWriter final : public agent::SampleWriter {
 public:
  using agent::SampleWriter::add;
  void add(std::string_view name, double value, std::span<const LabelView> labels) override {
    RecordedSample sample{std::string(name), {}, value};
    for (const auto& l : labels) sample.labels.push_back({std::string(l.name), std::string(l.value)});
    sortLabels(sample.labels);
    samples.push_back(std::move(sample));
  }

  // The value of the one sample with this name and exactly these labels; nullopt when absent.
  std::optional<double> value(const std::string& name, Labels labels = {}) const {
    sortLabels(labels);
    for (const auto& s : samples)
      if (s.name == name && s.labels == labels) return s.value;
    return std::nullopt;
  }

  // How many samples carry this metric name.
  size_t count(const std::string& name) const {
    size_t n = 0;
    for (const auto& s : samples) n += (s.name == name);
    return n;
  }

  std::vector<RecordedSample> samples;
};

}  // namespace tidemark::testing
