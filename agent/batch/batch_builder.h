// The SampleWriter collectors write into during one collection: it turns each
// (name, labels, value) into a series id and appends a row to the batch's columns.
#pragma once

#include <cstdint>
#include <vector>

#include "agent/batch/series_registry.h"
#include "agent/collectors/sample_writer.h"
#include "common/wire/agent_link_codec.h"

namespace tidemark::agent {

class BatchBuilder final : public SampleWriter {
 public:
  explicit BatchBuilder(SeriesRegistry& registry) : registry_(registry) {}

  // Starts a collection whose samples are stamped `timestamp_ms`. A batch of one
  // collection keeps that time once (MetricBatchData::timestamp_ms); a second one
  // with another time before take() gives every sample its own.
  void begin(int64_t timestamp_ms);

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
  uint32_t lookup(std::string_view name, std::span<const LabelView> labels);

  SeriesRegistry& registry_;
  int64_t timestamp_ms_ = 0;
  wire::MetricBatchData batch_;
  uint64_t unjournalled_samples_ = 0;
  // The series id each add() without a handle got in the last collection, by its
  // place in the collection: collectors write in the same order every pass, so the
  // n-th add() is checked against the n-th id's definition (a few string compares)
  // before the registry's sort, key build and hash lookup are paid.
  std::vector<uint32_t> recent_ids_;
  size_t ordinal_ = 0;
};

}  // namespace tidemark::agent
