// Byte layouts of the store's keys. Integers are big-endian so that RocksDB's
// bytewise order is numeric order; timestamps are offset so negatives sort first.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/metrics/series.h"

namespace tidemark::controller::keys {

void appendU32(std::string& out, uint32_t value);
void appendU64(std::string& out, uint64_t value);
uint64_t readU64(std::string_view bytes);  // first 8 bytes, big-endian
void appendTimestamp(std::string& out, int64_t ms);
int64_t readTimestamp(std::string_view bytes);

// "k" name \0 host \0 labels: the series index key (prefix-scannable by name, then host).
std::string seriesKey(std::string_view host, std::string_view name, const Labels& labels);
std::string seriesKeyPrefix(std::string_view name, std::string_view host);
// Inverse of seriesKey; false when the bytes are not a series key.
bool parseSeriesKey(std::string_view key, std::string& host, std::string& name, Labels& labels);

// A series key read in place, nothing copied (last-value queries over 100,000 series
// must not allocate per series). The views point into the key's bytes.
struct SeriesKeyView {
  std::string_view metric;
  std::string_view host;
  std::string_view encoded_labels;  // the labels as seriesKey writes them
};
// False when the bytes are not a series key.
bool viewSeriesKey(std::string_view key, SeriesKeyView& out);
// Reads the next label off the front of `encoded` (SeriesKeyView::encoded_labels);
// false at the end or when the bytes are malformed.
bool nextLabel(std::string_view& encoded, LabelView& label);
// The value of label `name`; empty when absent (as Prometheus treats a missing label).
std::string_view findLabel(std::string_view encoded, std::string_view name);
Labels decodeLabels(std::string_view encoded);
// Three-way, in the order of Labels' operator<=> (by name, then value, label by label).
int compareEncodedLabels(std::string_view a, std::string_view b);

// Series id, start timestamp, uniquifier (0 for a head's own chunks; the commit
// number for late samples, which may share a start with another chunk).
std::string chunkKey(uint64_t series_id, int64_t start_ms, uint64_t uniquifier);
// Series id and window start (rollup records).
std::string seriesTimeKey(uint64_t series_id, int64_t start_ms);
std::string agentSeriesKey(std::string_view host, uint64_t epoch, uint32_t agent_series_id);

}  // namespace tidemark::controller::keys
