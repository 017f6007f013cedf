// Where collectors put what they read. One collection pass stamps every sample
// with the same timestamp, so collectors only give name, labels and value.
#pragma once

#include <initializer_list>
#include <span>
#include <string_view>

#include "common/metrics/series.h"

namespace tidemark::agent {

class SampleWriter {
 public:
  virtual ~SampleWriter() = default;

  // Records one sample. Labels may come in any order; values are copied, so the
  // views only need to live for the call.
  virtual void add(std::string_view name, double value, std::span<const LabelView> labels) = 0;

  void add(std::string_view name, double value) { add(name, value, std::span<const LabelView>{}); }
  void add(std::string_view name, double value, std::initializer_list<LabelView> labels) {
    add(name, value, std::span<const LabelView>(labels.begin(), labels.size()));
  }
};

}  // namespace tidemark::agent
