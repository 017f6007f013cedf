// The rules every stored series obeys, whichever way it arrives (an agent's
// announcement, an import): a valid metric name, valid label names other than
// `host` (the host is the series' own field), sorted unique labels, and size limits.
// One definition, so agent ingest and `tidemark import` accept exactly the same series.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/metrics/series.h"

namespace tidemark {

struct SeriesShapeLimits {
  // Longest metric name, label name or label value, in bytes. Default: 1024.
  size_t max_name_bytes = 1024;
  // Most labels on one series. Default: 32.
  size_t max_labels = 32;
};

// Empty when (name, labels) may be stored, else why not (without the series' name in
// front for a name problem; the caller knows how to name the series). `labels` must be
// sorted by name: unsorted or duplicated labels are refused, not fixed.
std::string checkSeriesShape(std::string_view name, const Labels& labels,
                             const SeriesShapeLimits& limits);

}  // namespace tidemark
