#include "agent/batch/batch_builder.h"

namespace tidemark::agent {

void BatchBuilder::begin(int64_t timestamp_ms) {
  if (batch_.series_ids.empty()) {
    batch_.timestamp_ms = timestamp_ms;
  } else if (batch_.timestamps_ms.empty() && timestamp_ms != batch_.timestamp_ms) {
    batch_.timestamps_ms.assign(batch_.series_ids.size(), batch_.timestamp_ms);
  }
  timestamp_ms_ = timestamp_ms;
  ordinal_ = 0;
}

uint32_t BatchBuilder::lookup(std::string_view name, std::span<const LabelView> labels) {
  const size_t ordinal = ordinal_++;
  if (ordinal < recent_ids_.size()) {
    const uint32_t recent = recent_ids_[ordinal];
    if (recent != SeriesRegistry::kUnjournalled && registry_.matches(recent, name, labels))
      return recent;
  } else {
    recent_ids_.resize(ordinal + 1, SeriesRegistry::kUnjournalled);
  }
  const uint32_t id = registry_.idFor(name, labels);
  recent_ids_[ordinal] = id;
  return id;
}

void BatchBuilder::add(std::string_view name, double value, std::span<const LabelView> labels) {
  const uint32_t id = lookup(name, labels);
  if (id == SeriesRegistry::kUnjournalled) {
    ++unjournalled_samples_;  // a new series the disk would not take: not sent, not lost silently
    return;
  }
  append(id, value);
}

void BatchBuilder::add(SeriesHandle& handle, std::string_view name, double value,
                       std::span<const LabelView> labels) {
  // Ids never change for the registry's lifetime, so a handle filled by this
  // builder stays right.
  if (handle.writer == this) {
    append(handle.id, value);
    return;
  }
  const uint32_t id = registry_.idFor(name, labels);
  if (id == SeriesRegistry::kUnjournalled) {
    ++unjournalled_samples_;
    return;
  }
  handle = {this, id};
  append(id, value);
}

void BatchBuilder::append(uint32_t id, double value) {
  batch_.series_ids.push_back(id);
  if (!batch_.timestamps_ms.empty()) batch_.timestamps_ms.push_back(timestamp_ms_);
  batch_.values.push_back(value);
}

wire::MetricBatchData BatchBuilder::take() {
  wire::MetricBatchData out = std::move(batch_);
  batch_ = {};
  // Keep the next batch from growing its columns from zero again.
  batch_.series_ids.reserve(out.series_ids.size());
  batch_.values.reserve(out.series_ids.size());
  return out;
}

}  // namespace tidemark::agent
