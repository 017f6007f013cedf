// Where collectors put what they read. One collection pass stamps every sample
// with the same timestamp, so collectors only give name, labels and value.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>

#include "common/metrics/series.h"

namespace tidemark::agent {

// A writer's memo of one series' id, kept by a collector for a series it writes
// every interval under the same name and labels: later adds skip the registry's
// lookup by name and labels. Never reuse one handle for different labels.
struct SeriesHandle {
  const void* writer = nullptr;  // the writer that filled it; others ignore it
  uint32_t id = 0;
};

class SampleWriter {
 public:
  virtual ~SampleWriter() = default;

  // As add(), remembering the series in `handle` where the writer can; the default
  // just adds by name and labels.
  virtual void add(SeriesHandle& handle, std::string_view name, double value,
                   std::span<const LabelView> labels) {
    (void)handle;
    add(name, value, labels);
  }

  // Records one sample. Labels may come in any order; values are copied, so the
  // views only need to live for the call.
  virtual void add(std::string_view name, double value, std::span<const LabelView> labels) = 0;

  void add(std::string_view name, double value) { add(name, value, std::span<const LabelView>{}); }
  void add(std::string_view name, double value, std::initializer_list<LabelView> labels) {
    add(name, value, std::span<const LabelView>(labels.begin(), labels.size()));
  }
};

}  // namespace tidemark::agent
