// The SampleWriter collectors write into during one collection: it turns each
// (name, labels, value) into a series id and appends a row to the batch's columns.
#pragma once

#include <cstdint>

#include "agent/batch/series_registry.h"
#include "agent/collectors/sample_writer.h"
#include "common/wire/agent_link_codec.h"

namespace tidemark::agent {

class BatchBuilder final : public SampleWriter {
 public:
  explicit BatchBuilder(SeriesRegistry& registry) : registry_(registry) {}

  // Starts a collection whose samples are stamped `timestamp_ms`.
  void begin(int64_t timestamp_ms) { timestamp_ms_ = timestamp_ms; }

  // SampleWriter
  using SampleWriter::add;
  void add(std::string_view name, double value, std::span<const LabelView> labels) override;
  void add(SeriesHandle& handle, std::string_view name, double value,
           std::span<const LabelView> labels) override;

  size_t rows() const { return batch_.series_ids.size(); }

  // Samples skipped since the builder was made because their new series could not be
  // journalled (SeriesRegistry::kUnjournalled); the registry says why.
  uint64_t unjournalledSamples() const { return unjournalled_samples_; }

  // Hands over the rows collected since the last take (header fields left empty).
  wire::MetricBatchData take();

 private:
  void append(uint32_t id, double value);

  SeriesRegistry& registry_;
  int64_t timestamp_ms_ = 0;
  wire::MetricBatchData batch_;
  uint64_t unjournalled_samples_ = 0;
};

}  // namespace tidemark::agent
