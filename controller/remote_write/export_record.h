// The payload of a remote-write queue record: whole series as they will be exported,
// labels ready for the WriteRequest (`__name__` and `host` included, sorted), so a
// record is self-contained and survives a restart of the controller (and any change
// to its series index). Little-endian, series back to back:
//
//   u16 label count L, L x (u32 name length, name, u32 value length, value),
//   u32 sample count S, S x (i64 timestamp ms, f64 value)
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/metrics/series.h"

namespace tidemark::controller::remote_write {

// Appends one series to `payload`.
void appendExportSeries(std::string& payload, std::span<const LabelView> labels,
                        std::span<const int64_t> timestamps_ms, std::span<const double> values);

// One series of a payload; the label views point into the payload.
struct ExportSeries {
  std::vector<LabelView> labels;
  std::vector<int64_t> timestamps_ms;
  std::vector<double> values;
};

// Calls `visit(const ExportSeries&)` for each series of `payload`, reusing one
// ExportSeries. Returns false when the payload is malformed (it passed its CRC, so
// this means a bug or a format change, not disk damage).
template <typename Visit>
bool forEachExportSeries(std::string_view payload, Visit&& visit);

// The label set as exported: `__name__` = metric, `host` = host, then the series'
// labels (a stored label named `host` or `__name__` gives way), sorted byte-wise by
// name as Prometheus requires. The views point into the arguments.
void exportLabels(std::string_view host, std::string_view metric, const Labels& labels,
                  std::vector<LabelView>& out);

namespace detail {
bool readExportSeries(std::string_view payload, size_t& offset, ExportSeries& series);
}  // namespace detail

template <typename Visit>
bool forEachExportSeries(std::string_view payload, Visit&& visit) {
  ExportSeries series;
  size_t offset = 0;
  while (offset < payload.size()) {
    if (!detail::readExportSeries(payload, offset, series)) return false;
    visit(series);
  }
  return true;
}

}  // namespace tidemark::controller::remote_write
